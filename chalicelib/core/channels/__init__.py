"""Alert channels: where notices go besides (and as) e-mail (issue 12)."""
