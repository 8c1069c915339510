"""Publishing: the :class:`~migdev.publish.answer.Answer` every query hands on, and the formats that render it."""
