"""Mail done right: what SES tells us back (bounces, complaints: the
suppression list) and the links a mail carries (one-click unsubscribe, mute)."""
