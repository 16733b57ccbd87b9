"""The map's layers as data (catalogue.yaml) and the queries that serve them."""
