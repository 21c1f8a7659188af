"""The web interface: GOV.UK Design System layout, sign-in, home, health and error pages."""
