from tierdesk.documents.tests.fixtures import (  # noqa: F401 (fixtures)
    msp_settings,
    other_signer,
    platinum_agreement,
    send,
    signer,
    silver_agreement,
    tiers,
)
