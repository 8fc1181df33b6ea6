"""The integrations' events: a manager pauses or resumes a sales channel (latest by HLC wins)."""

from __future__ import annotations

from typing import ClassVar

from sync.events import Event, Timestamp


class ChannelMarked(Event):
    channel: str
    reason: str = ""
    by: str = ""  # the manager's name
    at: Timestamp


class ChannelPaused(ChannelMarked):
    kind: ClassVar[str] = "channel.paused"


class ChannelResumed(ChannelMarked):
    kind: ClassVar[str] = "channel.resumed"
