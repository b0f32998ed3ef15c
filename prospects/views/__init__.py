"""Prospect pages (programme team only: partners get 404 everywhere here), one module per page group."""
