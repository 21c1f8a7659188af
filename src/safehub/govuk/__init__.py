"""GOV.UK Design System components for Django forms: field templates, date inputs, errors.

Low in the layers so every feature's forms and views can use it.
"""
