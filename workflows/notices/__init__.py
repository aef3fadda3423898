"""Notices to workers by SMS or WhatsApp: consent (consent.py), the texts
(templates.py), queueing with the stage changes (queue.py) and delivery bookkeeping
(delivery.py). Sending itself is the web layer's job (caseapp/notices/)."""
