# The provider's own health check needs the raw id.
HEALTH_MODEL = "gpt-4o-mini"  # modelplane-lint-ignore: the provider's status probe requires a real model id
# modelplane-lint-ignore: pinned for the regression test of issue 88
PINNED = "claude-3-haiku-20240307"
UNEXPLAINED = "gpt-4.1-nano"  # modelplane-lint-ignore
