"""Field-level encryption of narratives and case notes, with keys kept outside the database.

`fields.EncryptedTextField` stores a Fernet token; `keys` reads SAFEHUB_FIELD_KEYS (via the
`FIELD_ENCRYPTION_KEYS` setting); `services.rotate` re-encrypts every encrypted column with the
newest key (`safehub keys rotate`, see docs/keys.md).
"""
