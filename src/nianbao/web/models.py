"""The portal's own records: org units and accounts with roles, the year's task, one submission
per school and task with its state (django-fsm-2), the figures as the school typed them, state
changes with reasons, uploads and report builds.

The figures themselves are also written to the nianbao store (what ``nianbao report`` reads);
:class:`FieldValue` keeps what the form shows and is the object of the audit trail: every insert,
update and delete of it is an event (django-pghistory triggers on PostgreSQL, equivalent SQLite
triggers on the embedded default, see ``web.audit``), with who, source, workbook hash and
template version as context.
"""

from __future__ import annotations

import uuid

import pghistory
import pgtrigger
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition


class Org(models.Model):
    """An org unit of the registry (orgs.csv): province, city, county, school."""
    code = models.CharField(max_length=16, primary_key=True)
    zh = models.CharField(_("name"), max_length=200)
    en = models.CharField(_("English name"), max_length=200, blank=True)
    level = models.CharField(max_length=16)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    path = models.CharField(max_length=200, db_index=True)  # codes from the top, "140000/140200/…/"
    school_type = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["path"]
        verbose_name = _("org unit")
        verbose_name_plural = _("org units")

    def __str__(self):
        return f"{self.code} {self.zh}"

    def name(self, lang: str = "zh") -> str:
        return self.en if lang == "en" and self.en else self.zh

    def contains(self, other: "Org") -> bool:
        return other.path.startswith(self.path)


ROLES = [
    ("school", _("school clerk")),
    ("county", _("county reviewer")),
    ("city", _("city administrator")),
    ("province", _("province reader")),
]
ROLE_LEVEL = {"school": "school", "county": "county", "city": "city", "province": "province"}


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent(), append_only=True)
class Membership(models.Model):
    """A user's role at one org unit (a school clerk at a school, a reviewer at a county …)."""
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(max_length=16, choices=ROLES)

    class Meta:
        unique_together = [("user", "org", "role")]
        verbose_name = _("role")
        verbose_name_plural = _("roles")

    def __str__(self):
        return f"{self.user} — {self.get_role_display()} @ {self.org}"


class Task(models.Model):
    """The collection of one reporting year, with its deadline."""
    year = models.PositiveIntegerField(unique=True)
    deadline = models.DateTimeField(_("deadline"))
    closed = models.BooleanField(_("period closed"), default=False)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")

    def __str__(self):
        return f"{self.year}"

    @property
    def past_deadline(self) -> bool:
        return timezone.now() > self.deadline


class State:
    NOT_STARTED = "not_started"
    DRAFT = "draft"
    SUBMITTED = "submitted"
    COUNTY_APPROVED = "county_approved"
    CITY_APPROVED = "city_approved"
    RETURNED = "returned"


STATES = [
    (State.NOT_STARTED, _("not started")),
    (State.DRAFT, _("being filled")),
    (State.SUBMITTED, _("submitted")),
    (State.COUNTY_APPROVED, _("accepted by the county")),
    (State.CITY_APPROVED, _("approved by the city")),
    (State.RETURNED, _("returned for correction")),
]
EDITABLE = (State.NOT_STARTED, State.DRAFT, State.RETURNED)


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent(), append_only=True)
class Submission(models.Model):
    """One school's figures for one task, moving through the review."""
    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="submissions")
    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="submissions")
    state = FSMField(default=State.NOT_STARTED, choices=STATES, protected=True)
    note = models.TextField(_("note on the warnings"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    n_errors = models.IntegerField(default=0)
    n_warnings = models.IntegerField(default=0)
    return_reason = models.TextField(blank=True)

    class Meta:
        unique_together = [("task", "org")]
        ordering = ["org__path"]
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")

    def __str__(self):
        return f"{self.org} {self.task}"

    @property
    def editable_state(self) -> bool:
        return self.state in EDITABLE

    def lock_reason(self):
        """Why the school cannot change the figures now (None: it can)."""
        if self.state == State.CITY_APPROVED:
            return _("Approved by the city: the figures are locked.")
        if self.state in (State.SUBMITTED, State.COUNTY_APPROVED):
            return _("Submitted and under review: the figures can be changed only if they are returned.")
        if self.task.closed:
            return _("The reporting period is closed.")
        if self.task.past_deadline:
            return _("The deadline has passed.")
        return None

    # -- transitions (django-fsm-2); the views check who may call them ---------------------
    @transition(field=state, source=[State.NOT_STARTED, State.DRAFT, State.RETURNED], target=State.DRAFT)
    def edit(self):
        pass

    @transition(field=state, source=[State.DRAFT, State.RETURNED], target=State.SUBMITTED)
    def submit(self):
        self.submitted_at = timezone.now()
        self.return_reason = ""

    @transition(field=state, source=State.SUBMITTED, target=State.COUNTY_APPROVED)
    def county_accept(self):
        pass

    @transition(field=state, source=[State.SUBMITTED, State.COUNTY_APPROVED], target=State.RETURNED)
    def send_back(self):
        pass

    @transition(field=state, source=State.COUNTY_APPROVED, target=State.CITY_APPROVED)
    def city_approve(self):
        pass

    @transition(field=state, source=State.CITY_APPROVED, target=State.COUNTY_APPROVED)
    def city_reopen(self):
        pass

    @transition(field=state, source=State.COUNTY_APPROVED, target=State.SUBMITTED)
    def county_reopen(self):
        pass


class LockedError(Exception):
    """A change to the figures of a submission that is locked."""


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent(), append_only=True)
class FieldValue(models.Model):
    """One field of a submission as typed (text) and as read (value)."""
    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="values")
    code = models.CharField(max_length=120)
    text = models.CharField(max_length=500, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)

    class Meta:
        unique_together = [("submission", "code")]
        verbose_name = _("value")
        verbose_name_plural = _("values")

    def _check_unlocked(self):
        sub = Submission.objects.select_related("task").get(pk=self.submission_id)
        if sub.lock_reason() is not None:
            raise LockedError(str(sub.lock_reason()))

    def save(self, *args, **kwargs):
        self._check_unlocked()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self._check_unlocked()
        return super().delete(*args, **kwargs)


class StateChange(models.Model):
    """Every change of a submission's state, with who and why; never changed afterwards."""
    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="changes")
    transition = models.CharField(max_length=40)
    source = models.CharField(max_length=20)
    target = models.CharField(max_length=20)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    role = models.CharField(max_length=16)
    at = models.DateTimeField(default=timezone.now)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]
        triggers = [pgtrigger.Protect(name="append_only", operation=pgtrigger.Update | pgtrigger.Delete)]


class Upload(models.Model):
    """An uploaded workbook: its hash, template version, outcome and the annotated copy."""
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="uploads")
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    name = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64)
    template = models.CharField(max_length=40, blank=True)
    status = models.CharField(max_length=16)
    n_errors = models.IntegerField(default=0)
    annotated = models.BinaryField(null=True, blank=True)


class ReportJob(models.Model):
    """A build of the city report from approved data, with its progress."""
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    task = models.ForeignKey(Task, on_delete=models.PROTECT)
    org = models.ForeignKey(Org, on_delete=models.PROTECT)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    started = models.DateTimeField(default=timezone.now)
    finished = models.DateTimeField(null=True, blank=True)
    progress = models.IntegerField(default=0)
    stage = models.CharField(max_length=40, default="queued")
    status = models.CharField(max_length=16, default="running")  # running / done / failed
    message = models.TextField(blank=True)
    schools = models.IntegerField(default=0)
    folder = models.CharField(max_length=500, blank=True)


class LoginFailure(models.Model):
    """A failed login, for throttling guesses (by account and by address)."""
    username = models.CharField(max_length=150, db_index=True)
    ip = models.CharField(max_length=64, db_index=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)


class SiteSetting(models.Model):
    """Settings kept in the database (the dataset a server's database was first served with)."""
    key = models.CharField(max_length=40, primary_key=True)
    value = models.TextField()


class AuditCursor(models.Model):
    """On the embedded database: the audit context of the write in progress, read by the
    SQLite triggers that record the events (PostgreSQL uses pghistory's session variable)."""
    id = models.PositiveSmallIntegerField(primary_key=True)
    context_id = models.UUIDField(null=True)
