"""The public status check a worker reaches from the QR code on their receipt."""
