"""The rules over OCR lines, without the OCR model: lines are built by hand."""

from __future__ import annotations

import pytest

from pixelsafe.detectors.text import analyse_lines
from pixelsafe.report import Kind
from pixelsafe.text.page import Line, Word


def line(text: str, x: float, y: float, char_w: float = 10.0, h: float = 20.0) -> Line:
    words, pos = [], 0
    for token in text.split(" "):
        x1 = x + pos * char_w
        x2 = x1 + len(token) * char_w
        words.append(Word(token, 0.99, ((x1, y), (x2, y), (x2, y + h), (x1, y + h)), pos))
        pos += len(token) + 1
    x2 = x + len(text) * char_w
    return Line(text, 0.99, ((x, y), (x2, y), (x2, y + h), (x, y + h)), tuple(words))


def names(lines: list[Line]) -> list[str]:
    return [f.text or "" for f in analyse_lines(lines, 1000, 1000)
            if f.kind is Kind.PERSONAL_TEXT and f.label == "person_name"]


def test_header_label_and_value_in_separate_boxes_on_one_row() -> None:
    found = names([line("From:", 50, 100), line("Chaikin, Karen", 200, 101),
                   line("Sent:", 50, 125), line("Monday, May 22, 2000 9:33 AM", 200, 125),
                   line("To:", 50, 150), line("Desel, Paula", 200, 151)])
    assert found == ["Chaikin, Karen", "Desel, Paula"]


def test_value_printed_under_its_label() -> None:
    found = names([line("Surname / Nom / Apellidos", 300, 100, h=14),
                   line("WARNER", 300, 118, h=24)])
    assert found == ["WARNER"]


def test_signature_block_name_is_the_first_line_above_the_contact() -> None:
    found = names([line("thanks", 80, 200), line("Carolyn Levy", 80, 225),
                   line("Youth Smoking Prevention", 80, 250), line("917-663-2253", 80, 275)])
    assert found == ["Carolyn Levy"]


def test_a_name_line_without_a_contact_line() -> None:
    """Without a contact line below it, a line that is only a known given name and surname
    is still a name; a title-case line of other words is not."""
    assert names([line("Carolyn Levy", 80, 225), line("Youth Smoking Prevention", 80, 250)]) \
        == ["Carolyn Levy"]
    assert names([line("Youth Smoking Prevention", 80, 250),
                  line("Grand Total Summary", 80, 275)]) == []


def test_display_name_and_recipients() -> None:
    found = names([line('>>> "Levy, Carolyn J." <carolyn.levy@example.com> 01/05/01', 50, 100),
                   line("To: Mahecha, Greg; Vakkas, Pennie", 50, 140)])
    assert found == ["Levy, Carolyn J.", "Mahecha, Greg", "Vakkas, Pennie"]


def test_sideways_archive_number_in_the_margin_is_nothing() -> None:
    archive = line("2083395078", 700, 100, h=20)
    assert analyse_lines([archive, line("53097 8630", 686, 861)], 754, 1000) == []


def test_span_box_of_an_email_inside_a_line() -> None:
    ln = line("write to jane@example.org today", 0, 0)
    found = [f for f in analyse_lines([ln], 1000, 100) if f.label == "email"]
    assert len(found) == 1 and found[0].box is not None
    start = ln.text.index("jane")
    end = start + len("jane@example.org")
    # the characters' own pixels plus a pad of 0.3 text heights (6 px) on each side
    assert start * 10 - 8 <= found[0].box.x1 <= start * 10
    assert end * 10 <= found[0].box.x2 <= end * 10 + 8


def test_a_department_or_extension_after_a_name_is_left_out() -> None:
    found = names([line("From: Reynolds, Joanne L.(RBM) 2300", 50, 100),
                   line("Cc: Wilson, Gregory B. (PMUSA); Scott, Gregory", 50, 140)])
    assert found == ["Reynolds, Joanne L.", "Wilson, Gregory B.", "Scott, Gregory"]


def test_a_number_in_the_next_column_is_not_the_surname() -> None:
    found = names([line("Surname / Nom / Apellidos", 366, 807, h=24),
                   line("333242788", 764, 809, h=24),
                   line("HODGE", 363, 835, h=26)])
    assert found == ["HODGE"]


def test_a_mail_header_takes_its_value_from_its_own_row_only() -> None:
    # "From:" whose value was filled: the "Sen(t:)" under it is not a name
    assert names([line("From:", 50, 100), line("Sen", 50, 114)]) == []
    assert names([line("From:", 50, 100), line("Sen", 50, 124), line("To: Desel, Paula", 50,
                                                                        148)]) == ["Desel, Paula"]


def test_a_parcels_parties_are_the_names_over_their_addresses() -> None:
    """A parcel label's "FROM:" and "SHIP TO:" stand alone over a name and its address:
    the name is the label's value (it was taken into the address, as a place line)."""
    parcel = [line("FROM:", 45, 50), line("Margarethe Park", 45, 80),
              line("Merdekastraat 234", 47, 111), line("1286 Gent", 46, 142),
              line("SHIP TO:", 47, 292), line("SØREN MACLEOD", 78, 335, h=30),
              line("MILLSTRAAT 9", 76, 381, h=30), line("2201 GENT", 78, 426, h=30),
              line("Empfänger:", 600, 500), line("Tomasz Kowalczyk", 600, 530),
              line("Lindenstraße 5", 600, 560), line("04109 Leipzig", 600, 590)]
    assert names(parcel) == ["Margarethe Park", "SØREN MACLEOD", "Tomasz Kowalczyk"]
    assert labelled(parcel, "address") == ["Merdekastraat 234, 1286 Gent",
                                           "MILLSTRAAT 9, 2201 GENT",
                                           "Lindenstraße 5, 04109 Leipzig"]


def labelled(lines: list[Line], label: str) -> list[str]:
    return [f.text or "" for f in analyse_lines(lines, 1000, 1000)
            if f.kind is Kind.PERSONAL_TEXT and f.label == label]


def test_document_no_on_a_receipt_is_not_a_passport_number() -> None:
    receipt = [line("KEDAI RUNCIT SDN BHD", 50, 40), line("Document No: TD01167104", 50, 80),
               line("Cashier: CASH", 50, 110), line("TOTAL 12.30", 50, 140)]
    assert labelled(receipt, "passport_number") == []
    card = [line("IDENTITY CARD", 50, 40), line("Document No: TD01167104", 50, 80)]
    assert labelled(card, "passport_number") == ["TD01167104"]


@pytest.mark.parametrize("heading", [
    "IDENTITEITSKAART", "DOWÓD OSOBISTY", "IDENTITETSKORT", "CARTÃO DE CIDADÃO",
    "OBČANSKÝ PRŮKAZ", "FÜHRERSCHEIN", "PERMIS DE CONDUIRE", "RIJBEWIJS", "PASZPORT",
    "TITRE DE SÉJOUR", "KIMLIK KARTI"])
def test_an_identity_document_in_its_own_language(heading: str) -> None:
    """A card that names itself in its own language is an identity document: its
    "Document No" over its number is the document's number (the world set's Dutch card,
    IDENTITEITSKAART, was missed)."""
    card = [line(heading, 37, 31), line("Document No", 35, 468), line("RH6153832", 36, 492)]
    assert labelled(card, "passport_number") == ["RH6153832"]


def test_receipt_and_form_words_never_become_names() -> None:
    lines = [line("Name: CASH", 50, 40), line("Attn: Time Num", 50, 80),
             line("Time Num", 50, 200), line("+60 3 1234 5678", 50, 225)]
    assert names(lines) == []
    assert names([line("Name: Cash Money Lim", 50, 40)]) == ["Cash Money Lim"]  # not only words


def test_an_expiry_date_is_not_a_phone() -> None:
    lines = [line("Date of expiry", 50, 40), line("04.01.2033", 50, 65)]
    assert labelled(lines, "phone") == []


def test_a_possible_number_needs_its_own_phone_label() -> None:
    """A receipt's tax number under its "Tel" line is not a phone; a number under a line
    that is only the label is."""
    receipt = [line("Tel: 03-3271 9872", 50, 40), line("GST No: 000908345344", 50, 65)]
    assert labelled(receipt, "phone") == ["03-3271 9872"]
    form = [line("Phone", 50, 40), line("555 010 9999", 50, 65)]
    assert labelled(form, "phone") == ["555 010 9999"]


def plate_texts(lines: list[Line]) -> list[str]:
    return [f.text or "" for f in analyse_lines(lines, 1000, 1000)
            if f.kind is Kind.LICENSE_PLATE]


def test_plates_of_unknown_formats() -> None:
    """A run of digits only, a plate read letter by letter, a short plate whose tilted box
    is nearly square; separators make a timestamp or a phone number, not a plate."""
    assert plate_texts([line("1049338", 400, 500, h=30)]) == ["1049338"]
    assert plate_texts([line("L J P 3 2 4", 400, 500, char_w=18, h=40)]) == ["LJP324"]
    assert plate_texts([line("18ZMX", 400, 500, char_w=12, h=47)]) == ["18ZMX"]
    for text in ("2014-04-29 14:22", "555-0199", "1234", "123456789"):
        assert plate_texts([line(text, 400, 500, h=30)]) == [], text


def test_a_receipts_total_is_not_a_plate() -> None:
    """'TOTAL 12.30' on a receipt was reported as the plate TOTAL1230."""
    for text in ("TOTAL 12.30", "CASH 50.00", "CHANGE 2.70", "ITEMS 3", "TAX 6.00"):
        assert plate_texts([line(text, 400, 500, h=30)]) == [], text
    # a plate may spell a short form word as its letters
    assert plate_texts([line("TAX 123", 400, 500, h=30)]) == ["TAX123"]
    assert plate_texts([line("B 1234 XY", 400, 500, h=30)]) == ["B1234XY"]


def test_two_rows_make_one_plate_only_when_stacked_like_one() -> None:
    """The geometry of a two-row plate (tests/test_text.py reads drawn ones): one row
    straight under the other, a small gap, about as tall and as wide."""
    def rows(top: tuple[str, float, float], bottom: tuple[str, float, float]) -> list[str]:
        return plate_texts([line(top[0], top[1], top[2], char_w=24, h=40),
                            line(bottom[0], bottom[1], bottom[2], char_w=24, h=40)])
    assert rows(("AB12", 400, 500), ("CDE", 412, 555)) == ["AB12CDE"]
    assert rows(("M AB", 400, 500), ("1234", 400, 548)) == ["MAB1234"]
    assert rows(("AB12", 400, 500), ("CDE", 412, 640)) == ["AB12"]   # far below
    assert rows(("AB12", 400, 500), ("CDE", 700, 555)) == ["AB12"]   # another column
    assert rows(("AB12", 400, 500), ("CDE", 520, 500)) == ["AB12"]   # beside, not under
    assert rows(("TOTAL", 400, 500), ("12.30", 400, 548)) == []      # a receipt's
    assert rows(("OHIO", 400, 500), ("ABC1234", 364, 548)) == ["ABC1234"]


def test_a_code_and_its_number_read_apart_on_one_row_are_one_plate() -> None:
    """The Gulf's plates (tests/test_text.py reads drawn ones): a code and its number the
    OCR reads apart, a plate's name printed small between them or left of the number."""
    def row(*pieces: tuple[str, float, float, float]) -> list[str]:
        return plate_texts([line(t, x, y, char_w=h * 0.6, h=h) for t, x, y, h in pieces])
    assert row(("FW", 300, 500, 60), ("DUBAI", 400, 505, 18), ("3095", 520, 500, 60)) \
        == ["FW3095"]
    assert row(("11", 300, 500, 60), ("A.D", 390, 505, 18), ("68523", 480, 500, 60)) \
        == ["1168523"]
    assert row(("QATAR", 300, 505, 20), ("839111", 400, 500, 60)) == ["839111"]
    assert row(("1735", 300, 500, 40), ("UEV", 460, 502, 40)) == ["1735UEV"]  # Saudi
    assert row(("5", 300, 500, 60), ("12345", 350, 500, 60)) == ["512345"]  # no name read
    assert plate_texts([line("5 12345", 300, 500, h=40)]) == ["512345"]
    # digits apart without a plate's name: a small number beside a big one, or far left
    assert row(("5", 300, 510, 30), ("12345", 350, 500, 60)) == []
    assert row(("5", 200, 500, 60), ("12345", 350, 500, 60)) == []
    assert row(("Ref", 300, 500, 40), ("5", 340, 500, 40), ("12345", 370, 500, 40)) == []
    for text in ("12 30", "5 123", "123 45678"):
        assert plate_texts([line(text, 300, 500, h=40)]) == [], text


def test_a_receipts_national_phone_is_read_in_the_country_it_names() -> None:
    """Issue 27: a Malaysian mobile number printed without a label or a + on a receipt
    stayed readable (phones were read as numbers of seven fixed countries only). The page
    names its country (SDN BHD, RM before a price): its numbers are read as that country's.
    """
    receipt = [line("KEDAI RUNCIT MAJU SDN BHD", 50, 40), line("016-5498845", 50, 80),
               line("TOTAL RM 12.30", 50, 120)]
    assert labelled(receipt, "phone") == ["016-5498845"]
    # the same number on a page that names no country is not read as a phone
    assert labelled([line("Ref 016-5498845", 50, 40), line("TOTAL 12.30", 50, 80)],
                    "phone") == []
    # "Rm 12" is a room, not ringgit: case matters
    assert labelled([line("Rm 12, Block B", 50, 40), line("016-5498845", 50, 80)],
                    "phone") == []


def test_a_cashiers_name_is_a_name_and_a_role_is_not() -> None:
    """Issue 27: the cashier's name after 'Cashier:' stayed readable on a receipt."""
    for text, found in (("Cashier: NINI", ["NINI"]), ("CASHIER NINI", ["NINI"]),
                        ("Served by: Aisyah", ["Aisyah"]), ("CASHIER: ADMIN", []),
                        ("Cashier: CASH", []), ("CASHIER : POS1N", [])):
        got = labelled([line("KEDAI RUNCIT SDN BHD", 50, 40), line(text, 50, 80),
                        line("TOTAL 12.30", 50, 140)], "person_name")
        assert got == found, (text, got)  # and the shop's name is no person's


def test_a_reservation_or_booking_number_is_personal() -> None:
    """Issue 27: a receipt's reservation number (printed like a phone number) stayed
    readable. Under a reservation, booking or confirmation label a code with a digit is a
    booking reference; under PNR or record locator, the airline's six letters too."""
    for text, found in (("RESERVATION NO: 010 - 7745055", "010 - 7745055"),
                        ("Booking ref: XKJ4TP", "XKJ4TP"), ("PNR: QWERTY", "QWERTY"),
                        ("Confirmation #8XY23ZQ", "8XY23ZQ"),
                        ("Record locator ABC12D", "ABC12D"),
                        ("Reservation code: 55-1234-AB", "55-1234-AB")):
        got = [f for f in analyse_lines([line("TASTE OF THE WORLD SDN BHD", 50, 40),
                                         line(text, 50, 80), line("TOTAL 64.15", 50, 120)],
                                        1000, 1000) if f.kind is Kind.PERSONAL_TEXT]
        assert [(f.label, f.text) for f in got] == [("booking_reference", found)], text
    for text in ("Reservation: CONFIRMED", "Booking date: 12.03.2024", "PNR: pending",
                 "Booking ref: ONLINE BOOKING", "Reservations welcome"):
        assert labelled([line(text, 50, 80)], "booking_reference") == [], text


def test_a_birth_date_under_a_dotted_label_on_the_line_above() -> None:
    """Issue 31: "b. Berlin," ends a line, the date begins the next (a who's-who entry of
    documents-seed): the label on the line above names the date."""
    lines = [line("SCHWEITZER, (Johann) Paul, chemist; b. Berlin,", 50, 40),
             line("Germany, Mar. 16. 1840; s. A. F. T. and Julia", 50, 70),
             line("(Hoehne) S.; Ph.D., U. of Gotingen, 1869; LJ.D.", 50, 100),
             line("U. of Mo., 1897; m Sarah Howard, June 18. 1870", 50, 130)]
    assert labelled(lines, "date_of_birth") == ["Mar. 16. 1840"]


def test_a_label_after_the_end_of_a_sentence_inside_a_line() -> None:
    """The OCR reads a who's-who entry's "Address:" inside a line: its value is the address,
    up to the next sentence. Only with a colon, and not names (prose says "To: ...")."""
    lines = [line("ist, Expt. Sta., 1887-1908, U. of Mo. Gold medal", 50, 40),
             line("bulls. Address: Colunbia, Mo. Died 1911.", 50, 70)]
    assert labelled(lines, "address") == ["Colunbia, Mo."]
    assert labelled([line("See the notes. Address book entries are kept", 50, 40)],
                    "address") == []
    assert labelled([line("Meeting moved. To: all staff", 50, 40)], "person_name") == []
    assert labelled([line("Paid in full. Booking ref: QWE123; thank you", 50, 40)],
                    "booking_reference") == ["QWE123"]


def test_a_proprietors_name_heading_a_receipt_is_a_name() -> None:
    """Issue 27: a person's name printed as a receipt's header (SROIE 000: 'TAN WOON YANN'
    over its company's line, read by the OCR in lower case) stayed readable. A shop's name,
    the form's words and a lower-case line that heads no company are not taken."""
    for header, found in (("TAN WOON YANN", ["TAN WOON YANN"]),
                          ("tan woon yann", ["tan woon yann"]),
                          ("TEO HENG STATIONERY", []),
                          ("CASH BILL", [])):
        got = names([line(header, 50, 40), line("BOOK TA K (TAMAN DAYA) SDN BHD", 50, 70),
                     line("789417-W", 50, 100), line("TOTAL 9.00", 50, 140)])
        assert got == found, (header, got)
    assert names([line("tan woon yann", 50, 40), line("TOTAL 9.00", 50, 70)]) == []


def test_a_name_labels_word_in_prose_is_no_label() -> None:
    """Issue 27: on a paper "contact at their basal surface with a basement membrane" was a
    labelled person's name ("contact"). Without a colon, a name after its label starts with
    a capital; with one, or capitalised, it is still read."""
    prose = [line("contact at their basal surface with a basement membrane", 50, 40)]
    assert labelled(prose, "person_name") == []
    for text, name in (("Contact: Karen Chaikin", "Karen Chaikin"),
                       ("Contact Karen Chaikin", "Karen Chaikin"),
                       ("Patient JANE ROE", "JANE ROE")):
        assert labelled([line(text, 50, 40)], "person_name") == [name], text


def test_a_birth_date_in_the_value_column_right_of_its_label() -> None:
    """A typed form: labels in one column ("Dt. of Birth ........" read without its
    leaders), values in another, far to the right; the value above it is another date.
    The row's own label names the date; a row labelled with another date's label does
    not."""
    lines = [line("Ref.", 80, 200), line("9542752", 500, 200),
             line("Appointment", 80, 236), line("2021-10-10", 500, 236),
             line("Policy start", 80, 272), line("Jan. 23, 2028", 500, 272),
             line("Dt. of Birth", 80, 308), line("24 August 1954", 500, 308),
             line("Date of visit", 80, 344), line("12/05/2024", 500, 344)]
    assert labelled(lines, "date_of_birth") == ["24 August 1954"]


def test_a_letters_salutation_names_nobody() -> None:
    """ "Sehr geehrte Damen und Herren," (a German letter's "Dear Sir or Madam"): the
    entity model took "Herren" for a person (bench/gen_dates.py's letters)."""
    assert names([line("Sehr geehrte Damen und Herren,", 80, 180),
                  line("Mein Sohn Tomasz MacLeod, geboren am 03.11.2009, besucht die Schule.",
                       80, 240)]) == ["Tomasz MacLeod"]


def test_a_forms_numbers_and_dates_are_not_plates() -> None:
    """A typed form's value column (bench/gen_dates.py's forms): a member number right of
    its label and a date printed with its month's letters are no licence plates; the same
    number alone on its row (a plate of digits) still is."""
    lines = [line("Ref.", 80, 200), line("9542752", 500, 200),
             line("Geb.-Datum:", 80, 236), line("16-FEB-1987", 500, 236)]
    assert plate_texts(lines) == []
    assert plate_texts([line("9542752", 500, 200)]) == ["9542752"]


def test_a_forms_value_far_right_of_its_label_in_the_value_column() -> None:
    """A typed form's values stand in one column past dotted leaders, far from a short
    label ("Nom"): a value there is the label's when other rows put theirs in that column;
    a line under the label that ends in leaders is the next label, not the value."""
    form = [line("Member no.", 73, 279), line("1107874", 496, 281),
            line("Nom", 76, 343), line("Kowalczyk, Hamish", 495, 341),
            line("Fait le ... .", 73, 399), line("16.03.2024", 496, 402)]
    assert names(form) == ["Kowalczyk, Hamish"]
    lone = [line("Nom", 76, 343), line("Kowalczyk, Hamish", 495, 341)]
    assert "Kowalczyk, Hamish" not in names(lone)  # no value column: too far to be its value


def test_joined_name_labels_and_leaders() -> None:
    assert names([line("Name, Vorname: Fernández, Kwame", 76, 282)]) == ["Fernández, Kwame"]
    assert names([line("Cognome e nome:", 77, 413), line("Dlamini, Kwame", 436, 411)]) \
        == ["Dlamini, Kwame"]
    assert names([line("Surname, first name .", 77, 302),
                  line(". Adeyemi, Björn", 364, 303)]) == ["Adeyemi, Björn"]
    assert names([line("Naam", 76, 343), line("Esposito, Ciarán", 200, 341)]) \
        == ["Esposito, Ciarán"]


def test_a_form_in_cells_takes_the_value_under_its_label_not_the_next_cell() -> None:
    """Labels small over their values in cells: the next cell's label on the label's row
    is not its value, though values line up in columns."""
    cells = [line("Vorname", 80, 100, h=14), line("Geburtsdatum", 400, 100, h=14),
             line("Oluwaseun", 80, 120), line("16.02.1987", 400, 120),
             line("Nachname", 80, 170, h=14), line("Ausstellungsdatum", 400, 170, h=14),
             line("Dlamini", 80, 190), line("01.02.2020", 400, 190),
             line("Ort", 80, 240, h=14), line("Datum", 400, 240, h=14),
             line("Leipzig", 80, 260), line("02.03.2021", 400, 260)]
    assert names(cells) == ["Oluwaseun", "Dlamini"]
