"""Configuration shared by every test app (kept apart so factories can import it)."""
import tempfile

TEST_CONFIG = {"TESTING": True, "SECRET_KEY": "test-secret", "RATELIMIT_ENABLED": False,
               "DOCUMENT_DIR": tempfile.mkdtemp(prefix="caseapp-test-documents-"),
               "AUDIT_MASK_KEY": "test-mask-key"}
