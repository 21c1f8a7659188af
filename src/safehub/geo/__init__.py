"""Geography: local authorities, area committees, ward sets valid for dated periods, wards."""
