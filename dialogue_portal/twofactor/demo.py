"""Demo: each demo login gets an authenticator with a published secret (called by load_demo).

The secrets are printed beside the passwords (README, docs/demo.md, `make run`), so a
newcomer adds them to an authenticator app, or computes a code from them, and signs in with
both factors like any member of staff. They are the demo's, as public as its passwords.
"""

from django.contrib.auth import get_user_model
from django_otp.plugins.otp_totp.models import TOTPDevice

from dialogue_portal.twofactor.services import hex_key

# username → TOTP secret (base32), as authenticator apps take it.
SECRETS = {
    "admin": "UB2HGSWLLOMEVMMA7TFWP5NSMERUNOKO",
    "editor": "SVZIBGOG3T7NDDUY3LPDENH62S2OFPEC",
    "reviewer": "XRTBKRRKOAPH4Q4BUID6CHPWTRRHJMSN",
    "redaktor": "VUUFBAOFXZFSXCKIYOAIQKQFRKGCHANT",
}
DEVICE_NAME = "Demo authenticator"


def load(stdout):
    """Give each demo login its authenticator, unless it has a second factor already (a
    person who set up their own keeps it). Idempotent."""
    users = get_user_model().objects.filter(username__in=SECRETS)
    for user in users.order_by("username"):
        secret = SECRETS[user.username]
        has_one = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        if not has_one:
            TOTPDevice.objects.create(
                user=user, name=DEVICE_NAME, key=hex_key(secret), confirmed=True
            )
        elif not TOTPDevice.objects.filter(user=user, key=hex_key(secret)).exists():
            stdout.write(f"  skipped: {user.username} has an authenticator of its own")
            continue
        stdout.write(f"  authenticator secret of {user.username}: {secret} (TOTP, 6 digits, 30 s)")
