from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class PairingCode(models.Model):
    """A short-lived, single-use code a manager shows a new tablet or kitchen screen.

    Only its digest is kept: the code is shown once, in admin, and typed (or
    scanned) on the device, which trades it for its own token at /pair/.
    """

    KINDS = [("register", _("register")), ("kitchen", _("kitchen screen"))]

    store = models.CharField(_("store"), max_length=16)
    name = models.CharField(_("device name"), max_length=64)
    kind = models.CharField(_("kind"), max_length=16, choices=KINDS, default="register")
    code_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.CharField(_("created by"), max_length=150, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"), editable=False)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("pairing code")
        verbose_name_plural = _("pairing codes")

    def __str__(self) -> str:
        return f"{self.store}/{self.name}"


class Attempt(models.Model):
    """One failed attempt (wrong PIN, wrong pairing code, failed admin login).

    In the database rather than a process cache so that a limit holds across
    every daphne process of a node and survives a restart.
    """

    scope = models.CharField(max_length=16)
    key = models.CharField(max_length=150)
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["scope", "key", "at"], name="attempt_scope_key_at")]
