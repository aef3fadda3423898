"""Data subject request pages (UU PDP: access, correction, restriction)."""
