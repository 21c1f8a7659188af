"""Intelligence: locations and persons of concern, and the disruption activity against them."""
