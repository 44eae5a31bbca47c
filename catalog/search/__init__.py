"""Title search by name: `words` (how names and queries are split, the tuning), `tables` (what
the release builds), `index` (`NameIndex`: lookups and ranking over the tables)."""
