"""Authenticator secrets stored before casereviews.core.auth.EncryptingMFAAdapter (TOTP secrets and recovery-code
seeds in clear) are encrypted with the current key, so they keep working and no clear copy remains."""

from django.db import migrations

from casereviews.core.auth import seal_authenticator_data, unseal_authenticator_data


def _rewrite(apps, transform):
    Authenticator = apps.get_model("mfa", "Authenticator")
    for authenticator in Authenticator.objects.all().iterator():
        data = transform(authenticator.data)
        if data != authenticator.data:
            authenticator.data = data
            authenticator.save(update_fields=["data"])


def encrypt(apps, schema_editor):
    _rewrite(apps, seal_authenticator_data)


def decrypt(apps, schema_editor):
    _rewrite(apps, unseal_authenticator_data)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_backgroundjob"),
        ("mfa", "0003_authenticator_type_uniq"),
    ]

    operations = [migrations.RunPython(encrypt, decrypt)]
