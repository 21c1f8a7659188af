from django.apps import AppConfig


class CryptoConfig(AppConfig):
    name = "safehub.crypto"
    label = "crypto"
    verbose_name = "Field encryption"
