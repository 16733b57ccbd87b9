"""Read → check → transform → load: files in, rule results stored in PostGIS, all or nothing."""
