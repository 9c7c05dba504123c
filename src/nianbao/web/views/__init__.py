"""The portal's pages: one module per audience (school, review, city), sign-in, the API and
the audit trail."""
