"""HTTP routes: thin parse → query or rule → response."""
