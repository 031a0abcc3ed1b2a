"""The MSP's identity printed on documents comes from settings, with a neutral fallback."""

from tierdesk.core.msp import msp_identity


def test_settings_name_the_msp_and_its_hotline(settings):
    settings.TIERDESK_MSP_NAME = "Harbor IT"
    settings.TIERDESK_HOTLINE = "+1 555 0000"
    identity = msp_identity()
    assert (identity.name, identity.hotline) == ("Harbor IT", "+1 555 0000")


def test_a_blank_name_falls_back_to_a_neutral_one(settings):
    settings.TIERDESK_MSP_NAME = ""
    del settings.TIERDESK_HOTLINE
    assert msp_identity().name == "Your MSP"
    assert msp_identity().hotline == ""
