from tests.factories import make_visit


def test_a_pair_can_be_given_a_visit(pair, client_record):
    visit = make_visit(pair=pair, client=client_record)
    assert visit.participants.count() == 2
