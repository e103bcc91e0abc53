"""What the second factor and the staff sessions tell the rest of the site.

Plain signals, sent after the fact, for whoever keeps a record (an audit trail connects to
them); nothing here depends on anyone listening.

- ``factor_added(sender, user, device, request)``: a TOTP device or a passkey was confirmed,
  or a new set of recovery codes was made.
- ``factor_removed(sender, user, device, request)``: the user removed one of their factors.
- ``factor_reset(sender, user, by, request)``: the superuser ``by`` removed every factor of
  ``user`` (who must enrol again at the next sign-in).
- ``recovery_code_used(sender, user, request)``: a recovery code let the user in (and is gone).
- ``second_factor_failed(sender, user, request)``: a wrong code or a failed passkey.
- ``sessions_ended(sender, user, request, reason)``: sessions of ``user`` were ended;
  ``reason`` is one of ``SessionEnd``'s values.
"""

from django.dispatch import Signal

factor_added = Signal()
factor_removed = Signal()
factor_reset = Signal()
recovery_code_used = Signal()
second_factor_failed = Signal()
sessions_ended = Signal()
