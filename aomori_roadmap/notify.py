"""Mail delivery over SMTP: one message per department, Japanese text intact.

The only module that imports :mod:`smtplib` and :mod:`email`. Each :class:`Mail` becomes an
:class:`email.message.EmailMessage` built with the ``SMTP`` policy (CRLF line ends): the
subject and names are RFC 2047 encoded-words in UTF-8 (``=?utf-8?b?…?=``), the body is
``text/plain; charset="utf-8"`` in base64, so that the Japanese text arrives intact through
any server — including those without the ``SMTPUTF8`` and ``8BITMIME`` extensions — and in any
mail client. Attachments (a department's workbook) follow the text as base64 parts, their
Japanese file names written as RFC 2231 ``filename*=utf-8''…`` parameters, which Outlook,
Gmail, Thunderbird and Apple Mail read.

Delivery is a **dry run** unless ``dry_run=False``: the messages are built (and so checked)
and returned, nothing is sent. A real run opens one connection (``STARTTLS`` and login when
asked), sends the messages in order and stops at the first failure, raising
:class:`DeliveryError` with the keys of the messages that were sent before it and of those
that were not. Nothing is retried: a retry could send a message twice when the server took it
but its answer was lost. Send the rest with a new run over the unsent ones.

>>> mail = Mail("kikikanri", "bousai@pref.example.jp", "【DX推進プラン】期限のお知らせ", "本文です。\\n")
>>> outcome = send_mails([mail], SmtpSettings(host="127.0.0.1", sender="dx@pref.example.jp"))
>>> outcome.dry_run, outcome.sent, outcome.messages[0]["Subject"]
(True, (), '【DX推進プラン】期限のお知らせ')
"""

from __future__ import annotations

import email.policy
import smtplib
import ssl
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from aomori_roadmap.errors import PlanError, RoadmapError
from aomori_roadmap.i18n import _, pgettext

__all__ = [
    "DEFAULT_TIMEOUT",
    "Attachment",
    "Delivery",
    "DeliveryError",
    "Mail",
    "SmtpSettings",
    "build_message",
    "send_mails",
]

DEFAULT_TIMEOUT = 30.0
"""Seconds to wait for the SMTP server before giving up."""

_POLICY = email.policy.SMTP  # CRLF line ends, RFC 2047 encoded-words for non-ASCII headers


class DeliveryError(RoadmapError):
    """Mail delivery failed; ``sent`` were delivered before the failure, ``unsent`` were not.

    ``failed`` is the key of the message being sent when it failed (``None``: the connection
    or login failed before any message).
    """

    def __init__(
        self,
        message: str,
        *,
        sent: Sequence[str] = (),
        unsent: Sequence[str] = (),
        failed: str | None = None,
    ) -> None:
        super().__init__(message)
        self.sent: tuple[str, ...] = tuple(sent)
        self.unsent: tuple[str, ...] = tuple(unsent)
        self.failed = failed


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file sent with a message: its name as the recipient sees it, its bytes, its type."""

    filename: str
    data: bytes
    media_type: str = "application/octet-stream"


@dataclass(frozen=True, slots=True)
class Mail:
    """One message to send: ``key`` names it in reports (a department id)."""

    key: str
    to: str
    subject: str
    body: str
    to_name: str | None = None
    attachments: tuple[Attachment, ...] = ()


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    """Where and how to send: server, port, sender, STARTTLS and login.

    ``port`` defaults to 587 with STARTTLS and 25 without; ``username`` and ``password`` log
    in (only over STARTTLS, unless ``allow_plain_login``: a password never crosses the network
    in clear by accident).
    """

    host: str
    sender: str
    port: int | None = None
    starttls: bool = False
    username: str | None = None
    password: str | None = None
    sender_name: str | None = None
    timeout: float = DEFAULT_TIMEOUT
    allow_plain_login: bool = False

    @property
    def effective_port(self) -> int:
        """The port used: the given one, else 587 with STARTTLS and 25 without."""
        if self.port is not None:
            return self.port
        return 587 if self.starttls else 25


@dataclass(frozen=True, slots=True)
class Delivery:
    """What a run did: the messages built, and the keys of those sent (none in a dry run)."""

    dry_run: bool
    messages: tuple[EmailMessage, ...]
    sent: tuple[str, ...] = field(default=())


def _address(text: str, name: str | None, what: str) -> Address:
    """``text`` as an address; ``what`` names it in the message when it is not one."""
    value = text.strip() if isinstance(text, str) else ""
    invalid = _(
        "The mail address of the {what}, '{address}', is not valid (e.g. dx@pref.example.jp)."
    )
    if not value or any(c in value for c in "\r\n<>,; ") or value.count("@") != 1:
        raise PlanError(invalid.format(what=what, address=text))
    local, domain = value.split("@")
    if not local or not domain:
        raise PlanError(invalid.format(what=what, address=text))
    display = " ".join((name or "").split())
    return Address(display_name=display, username=local, domain=domain)


def build_message(
    mail: Mail, settings: SmtpSettings, *, now: datetime | None = None
) -> EmailMessage:
    """The MIME message of ``mail``: UTF-8 text, encoded-word headers, a Date and a Message-ID.

    ``now`` is the Date header (tz-aware; default: the clock — this module does I/O).

    >>> from datetime import datetime, timezone
    >>> message = build_message(Mail("a", "a@example.jp", "件名テスト", "本文\\n"),
    ...     SmtpSettings(host="localhost", sender="dx@example.jp"),
    ...     now=datetime(2025, 10, 1, tzinfo=timezone.utc))
    >>> message["Content-Type"], message["Date"]
    ('text/plain; charset="utf-8"', 'Wed, 01 Oct 2025 00:00:00 +0000')
    >>> b"Subject: =?utf-8?b?" in message.as_bytes()
    True
    """
    sender = _address(settings.sender, settings.sender_name, _("sender"))
    recipient = _address(mail.to, mail.to_name, _("recipient ({key})").format(key=mail.key))
    message = EmailMessage(policy=_POLICY)
    message["From"] = sender
    message["To"] = recipient
    # A subject is one line: line breaks in plan text must never become new headers.
    message["Subject"] = " ".join(mail.subject.split())
    message["Date"] = format_datetime(now or datetime.now().astimezone())
    message["Message-ID"] = make_msgid(domain=sender.domain)
    message.set_content(mail.body, charset="utf-8", cte="base64")
    for attached in mail.attachments:
        main, _slash, sub = attached.media_type.partition("/")
        name = " ".join(attached.filename.replace("/", "_").replace("\\", "_").split())
        message.add_attachment(attached.data, maintype=main, subtype=sub, filename=name)
    return message


def _connect(settings: SmtpSettings) -> smtplib.SMTP:
    where = f"{settings.host}:{settings.effective_port}"
    try:
        client = smtplib.SMTP(settings.host, settings.effective_port, timeout=settings.timeout)
    except (OSError, smtplib.SMTPException) as error:
        raise DeliveryError(
            _(
                "Cannot connect to the SMTP server {server}: {error}. Check the host name and "
                "the port (--smtp-host, --smtp-port). Nothing was sent."
            ).format(server=where, error=error)
        ) from error
    try:
        client.ehlo()
        if settings.starttls:
            client.starttls(context=ssl.create_default_context())
            client.ehlo()
        if settings.username:
            if not settings.starttls and not settings.allow_plain_login:
                raise DeliveryError(
                    _(
                        "Logging in to the SMTP server {server} is done only with STARTTLS "
                        "(so that the password is never sent unencrypted). "
                        "Add --smtp-starttls."
                    ).format(server=where)
                )
            client.login(settings.username, settings.password or "")
    except DeliveryError:
        client.close()
        raise
    except smtplib.SMTPNotSupportedError as error:
        client.close()
        raise DeliveryError(
            _(
                "The SMTP server {server} does not support STARTTLS: {error}. Nothing was sent."
            ).format(server=where, error=error)
        ) from error
    except (OSError, smtplib.SMTPException) as error:
        client.close()
        raise DeliveryError(
            _(
                "Preparing the connection to the SMTP server {server} (STARTTLS, login) "
                "failed: {error}. Nothing was sent."
            ).format(server=where, error=error)
        ) from error
    return client


def send_mails(
    mails: Iterable[Mail],
    settings: SmtpSettings,
    *,
    dry_run: bool = True,
    now: datetime | None = None,
) -> Delivery:
    """Build every message, then (unless ``dry_run``) send them over one SMTP connection.

    Every message is built before the first is sent, so that a bad address stops the run
    before anything leaves.

    Raises:
        PlanError: a bad sender or recipient address (nothing sent).
        DeliveryError: the server could not be reached, refused the login, or failed a
            message; ``.sent`` and ``.unsent`` say which were delivered.
    """
    batch = list(mails)
    keys = [mail.key for mail in batch]
    if len(set(keys)) != len(keys):
        raise PlanError(_("Two mails have the same key. Only one mail is sent to each department."))
    messages = tuple(build_message(mail, settings, now=now) for mail in batch)
    if dry_run or not batch:
        return Delivery(dry_run=dry_run, messages=messages)
    client = _connect(settings)
    sent: list[str] = []
    try:
        for mail, message in zip(batch, messages, strict=True):
            try:
                client.send_message(message)
            except (OSError, smtplib.SMTPException) as error:
                unsent = keys[len(sent) :]
                separator = pgettext("list", ", ")
                failure = _(
                    "Sending to '{key}' ({address}) failed: {error}. Sent: {sent}. "
                    "Not sent: {unsent}. Do not send the sent ones again (send only the "
                    "ones not sent)."
                )
                raise DeliveryError(
                    failure.format(
                        key=mail.key,
                        address=mail.to,
                        error=error,
                        sent=separator.join(sent) or _("none"),
                        unsent=separator.join(unsent),
                    ),
                    sent=sent,
                    unsent=unsent,
                    failed=mail.key,
                ) from error
            sent.append(mail.key)
    finally:
        try:
            client.quit()
        except (OSError, smtplib.SMTPException):
            client.close()
    return Delivery(dry_run=False, messages=messages, sent=tuple(sent))
