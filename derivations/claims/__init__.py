"""The claims, one module per topic; each module's ``claims()`` builds its :class:`Claim`\\ s."""
