"""Configuration shared by every test app (kept apart so factories can import it)."""
import tempfile

# The limiter stays on (as in production) with a limit the suite never reaches; the
# rate-limit test lowers it for itself.
TEST_CONFIG = {"TESTING": True, "SECRET_KEY": "test-secret", "LOGIN_RATE_LIMIT": "10000 per minute",
               "DOCUMENT_DIR": tempfile.mkdtemp(prefix="caseapp-test-documents-"),
               "AUDIT_MASK_KEY": "test-mask-key"}
