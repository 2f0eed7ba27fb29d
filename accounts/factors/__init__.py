"""Proving who someone is beyond their password: mobile numbers (``phone``), text messages and
their providers (``sms``, ``sms_views``), the activation codes sent by text
(``verification``), and the sign-in second factor (``two_factor``, ``two_factor_views``).
Their models (``SmsDevice``) are accounts' own, in ``accounts.models``."""
