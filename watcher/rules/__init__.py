"""User rules: the YAML format, its validation and loading (`rules/*.yaml`)."""
