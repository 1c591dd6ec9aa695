"""Names anywhere (the real spaCy model over rebuilt text blocks), addresses by their
grammars (and usaddress), dates of birth in their common forms: over lines built by hand,
so that each rule is tested without the OCR model."""

from __future__ import annotations

import pytest
from test_text_rules import labelled, line, names

from pixelsafe.detectors.pii import bill_line
from pixelsafe.models import name_list_paths, ner_model_path, usaddress_model_path
from pixelsafe.text import addresses
from pixelsafe.text.layout import build_blocks
from pixelsafe.text.names import cited, complete, plausible, rule_spans


def addresses_of(lines: list) -> list[str]:
    return labelled(lines, "address")


# --- blocks -----------------------------------------------------------------------------------

def test_blocks_join_a_paragraph_and_keep_columns_apart() -> None:
    lines = [line("From:", 50, 100), line("Chaikin, Karen", 300, 101),
             line("Sounds great to me. I think alot of people", 50, 150),
             line("would be interested, esecially Dave", 50, 172)]
    blocks = build_blocks(lines)
    texts = [b.text for b in blocks]
    assert "Sounds great to me. I think alot of people\nwould be interested, esecially Dave" \
        in texts
    assert "Chaikin, Karen" in texts and not any("From:" in t and "Karen" in t for t in texts)
    paragraph = next(b for b in blocks if b.text.startswith("Sounds"))
    at = paragraph.text.index("Dave")
    assert paragraph.pieces(at, at + 4, lines) == [(3, 31, 35)]


# --- names --------------------------------------------------------------------------------------

def test_names_in_running_text_and_as_a_heading() -> None:
    found = names([line("Sounds great to me. I think alot of people would be", 50, 100),
                   line("interested, esecially Dave Townsend's folks working on the", 50, 122),
                   line("FTC issue. I'll copy Dave on this reply.", 50, 144)])
    assert "Dave Townsend" in found  # the possessive is cut off
    heading = names([line("MICHAEL E. SELSTED", 300, 80), line("Assistant Professor", 300, 100)])
    assert heading == ["MICHAEL E. SELSTED"]


def test_a_name_covers_every_given_name_and_hyphenated_part() -> None:
    found = names([line("The form was signed by Anna Maria Wong-Staal yesterday.", 50, 100)])
    assert found == ["Anna Maria Wong-Staal"]


def test_title_and_citation_authors() -> None:
    found = names([line("Thesis advisor: Prof. Aharon Razin.", 50, 100)])
    assert found == ["Aharon Razin"]
    cited = labelled([line("Schwab SJ, Onorato JJ, Sharar LR, Dennis PA. Hemodialysis", 50, 300)],
                     "cited_author")
    assert {"Schwab SJ", "Onorato JJ", "Sharar LR"} <= set(cited)


def test_authors_cited_in_running_text_are_cited_authors_and_no_address() -> None:
    """Issue 27: on a paper the authors its text cites ("Haseltine et al. 1983", "Maxam &
    Gilbert (1977)") were counted as the page's names, and "al. 1983" read as a Polish
    avenue made the sentence an address. They are now cited authors (still redacted, named
    apart, not scored); a name the page is about stays a name."""
    paper = [line(t, 50, 100 + 22 * k) for k, t in enumerate((
        "The binding of carcinogens to DNA was first shown by Brookes",
        "and Lawley (1964), and the method of Randerath et al. (1981)",
        "was later refined by Gupta (1985) and by Reddy and Randerath.",
        "The use of h.p.l.c. has also been reported (Haseltine et al. 1983)."))]
    assert labelled(paper, "cited_author") == ["Gupta"]
    assert names(paper) == [] and addresses_of(paper) == []
    assert names([line("the samples were sent to Dr. Karen Chaikin in 1985.", 50, 144)]) \
        == ["Karen Chaikin"]
    for text, name, want in (
            ("reported (Haseltine et al. 1983).", "Haseltine", True),
            ("the method of Maxam & Gilbert (1977) and", "Maxam", True),
            ("the method of Maxam & Gilbert (1977) and", "Gilbert", True),
            ("as (Barrows, Petzold & Schimke 1981) showed", "Petzold", True),
            ("as Barrows showed in 1981", "Barrows", False),
            ("sent to Karen Chaikin in 1985.", "Karen Chaikin", False),
            ("Contact: Jane Doe 2019", "Jane Doe", False),
            ("Weiss, E.B., Chodosh, S. (1980) Chest 77", "Weiss", True),
            # the list goes on below: "(Petzold and Swenberg." / "1978)"
            ("breakage (Petzold and Swenberg.", "Petzold", True),
            ("analysis (K.Randerath er al., 1980; Maxam and", "Maxam", True),
            ("(Cairns, 1981; Klein, 1981; Feinberg and Coffey.", "Feinberg", True),
            ("recently reviewed by Rush and Kass [4] the", "Rush", True),
            ("Gilbert, 1981; Sanger, 1981) of nucleic acids.", "Sanger", True),
            ("Born to Jane Doe, 1985 was a good year", "Jane Doe", False),
            ("John Smith (42) of Leeds", "John Smith", False),
            ("(call Jane Doe on Monday)", "Jane Doe", False)):
        at = text.index(name)
        assert cited(text, at, at + len(name)) is want, (text, name)
    polish = [line("al. Jerozolimskie 44", 50, 100), line("00-024 Warszawa", 50, 122)]
    assert addresses_of(polish) == ["al. Jerozolimskie 44, 00-024 Warszawa"]


@pytest.mark.parametrize("text", [
    "UCLA Alpha Omega Alpha Medical Student Research Award, 1982",
    "Dean's List for academic achievements",
    "Albert Einstein College of Medicine,",
    "Int. J. Cancer 10: 233-243 (1972).",
    "Madison, WI",
    "Cambridge, Massachusetts",
    "CASH",
    "TOTAL 12.00",
    # an identity document's labels
    "FIRMA DEL TITULAR",
    "Unterschrift des Inhabers",
    "Signature du titulaire",
    # what a till prints: a shop named for its kind (and its owner), thanks, totals
    "Bäckerei Sonnenschein",
    "Murphy Hardware",
    "Papeterie Meier",
    "Vielen Dank für Ihren Einkauf",
    "GRACIAS POR SU VISITA",
    "TOTALE COMPLESSIVO",
    "SUMA PLN 123,45",
])
def test_institutions_places_and_journals_are_not_names(text: str) -> None:
    assert names([line(text, 50, 100)]) == []


def test_completion_and_plausibility_rules() -> None:
    text = "NIH, Bethesda MD. Study of protein"
    whole = complete(text, 5, 13)
    assert whole is not None and text[whole[0]:whole[1]] == "Bethesda MD"
    assert not plausible("Immun", "Infect. Immun. 1985", 13)
    assert [k for *_, k in rule_spans("John Qwzxkvt")] == []  # no census surname
    assert [k for *_, k in rule_spans("ALEX LEVINE")] == ["name_line"]


# --- addresses -----------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "221B Baker Street", "1600 Pennsylvania Ave NW", "Hauptstraße 5", "Kerkstraat 12",
    "Via Roma 10", "5 rue de Rivoli", "Calle Mayor 3", "ul. Długa 5", "Storgatan 1",
    "NO.53, JALAN BESAR,", "P.O. Box 1234", "Rua Augusta 274",
])
def test_street_lines_of_many_countries(text: str) -> None:
    assert addresses.strong(text) is not None, text


@pytest.mark.parametrize("text", [
    "75001 Paris", "10115 Berlin", "SW1A 1AA", "Springfield, IL 62704", "K1A 0B1",
    "1012 AB Amsterdam", "1100-148 Lisboa", "00-950 Warszawa", "111 52 Stockholm",
    "Sydney NSW 2000", "Singapore 238823", "D02 X285", "01310-100", "CH-8001 Zürich",
    "Mumbai - 400001",
])
def test_postcode_lines_of_many_countries(text: str) -> None:
    assert addresses.strong(text) is not None, text


@pytest.mark.parametrize("text", [
    "Thursday, September 20, 2001 4:01 PM", "CS 24198", "OTC-000127",
    "2249 CARLSBERG SMOOTH DRAUG", "TEL: 03-3271 9872", "BOOK TA .K(TAMAN DAYA) SDN BHD",
    "Subject: CRES TOBACCO BLEND CHANGES 1995", "FLANIL ANALGESIC CR 60G",
])
def test_dates_items_and_companies_are_not_addresses(text: str) -> None:
    assert addresses.strong(text) is None, text


@pytest.mark.parametrize("text", [
    "1 x Avenue Blend Coffee", "2 X Main St Burger", "3x Park Lane Tea", "1 @ Court Shoes",
])
def test_a_receipts_items_are_not_addresses(text: str) -> None:
    """A quantity and its sign before an item's name is no house number (bench/kinds.py's
    shops set: "1 x Avenue Blend Coffee" was an address on half of its receipts)."""
    assert addresses.strong(text) is None and not addresses.weak(text), text


@pytest.mark.parametrize("text", ["Avda. San Vicente, 103", "C/ Mayor, 45", "C/Real 7"])
def test_abbreviated_street_words_before_the_name(text: str) -> None:
    assert addresses.strong(text) is not None, text


def test_a_shops_address_whose_street_has_no_street_word() -> None:
    """A postcode line takes its town and a numbered street above it; the shop's name above
    them stays out, and a town alone over a postcode is taken too."""
    receipt = [line("The Corner Deli", 120, 40, h=28), line("80 Westgate", 180, 80),
               line("Exeter", 210, 105), line("EX4 3XL", 200, 130),
               line("Tel: 01392 741586", 150, 155)]
    assert addresses_of(receipt) == ["80 Westgate, Exeter, EX4 3XL"]
    assert names(receipt) == []
    foot = [line("Thank you!", 200, 600), line("Galway", 210, 625), line("H91 X2Y3", 205, 650)]
    assert addresses_of(foot) == ["Galway, H91 X2Y3"]


@pytest.mark.parametrize("text", ["Samuel Barber", "Maria Mercado", "Joan Butcher",
                                  "Nick Cave"])
def test_a_surname_that_is_also_a_trade_is_still_a_name(text: str) -> None:
    assert names([line(text, 50, 100)]) == [text]


def test_a_shops_name_over_its_address_and_phone_is_no_signature() -> None:
    """The first name-shaped line over a contact line is a signature's name, unless it
    names a kind of shop ("Wattle Cafe" heading its receipt)."""
    receipt = [line("Wattle Cafe", 150, 40, h=28), line("Shop 11, 230 Chapel Street", 80, 80),
               line("Fremantle WA 6160", 120, 105), line("Ph (08) 9177 6171", 130, 130)]
    assert names(receipt) == []
    assert addresses_of(receipt) == ["Shop 11, 230 Chapel Street, Fremantle WA 6160"]


def test_the_name_over_an_address_is_its_addressee() -> None:
    """A letter's recipient under the sender's company line, over the address: the name
    line (a name the census lists half know) is the addressee's, though the model, reading
    the company's block, does not take it (checked to fail without the rule)."""
    letter = [line("Northwind Traders Ltd", 97, 331, h=30), line("Ciarán Bianchi", 96, 369, h=33),
              line("211 Linden Avenue", 97, 407, h=31), line("Ottawa ON B4G 8R7", 98, 446, h=27)]
    assert names(letter) == ["Ciarán Bianchi"]
    assert addresses_of(letter) == ["211 Linden Avenue, Ottawa ON B4G 8R7"]


@pytest.mark.parametrize("shop", ["Hartley's Food Hall", "TIMES BOOKSTORES", "Tesco Express"])
def test_a_shops_name_over_its_address_is_no_addressee(shop: str) -> None:
    """A shop's name heads its address too: a possessive, or no given name first and no
    surname last, is the shop's."""
    receipt = [line(shop, 120, 40, h=28), line("12 High Street", 130, 80),
               line("Leeds LS1 6AB", 130, 105)]
    assert names(receipt) == []
    assert addresses_of(receipt) == ["12 High Street, Leeds LS1 6AB"]


def test_a_chat_lists_people_each_with_a_time() -> None:
    """A chat's list: each name with the time of its last message under it (the layout of
    the world set's chats, OCR'd boxes overlapping) or at the end of its row; names the
    census lists do not know ("Mateus Adeyemi", "Noor Bergström"). Their given name inside
    a sentence is the same person's ("I told Hamish"), not at a sentence's head."""
    chat = [line("Mateus Adeyemi", 34, 208, h=34), line("13:32", 33, 236, h=31),
            line("Hamish Sharma", 34, 299, h=34), line("11:46", 33, 327, h=30),
            line("Thanks! I told Hamish it starts at 7 pm.", 454, 317, h=36),
            line("Hamish knows.", 454, 367, h=36),
            line("Noor Bergström 9:10", 34, 387, h=37)]
    assert names(chat) == ["Mateus Adeyemi", "Hamish Sharma", "Noor Bergström", "Hamish"]


def test_one_name_with_a_time_is_no_list() -> None:
    """One name-shaped line over a time is not enough (a heading over an event's time)."""
    page = [line("Annual Meeting", 34, 100, h=34), line("13:32", 33, 128, h=31)]
    assert names(page) == []


@pytest.mark.parametrize(("heading", "email"), [
    ("MEHMET ADEYEMI", "mehmet.adeyemi@gmx.net"),
    ("M EH M ET ADEYEMI", "mehmet.adeyemi@gmx.net"),  # the OCR split its words
    ("Noor Yılmaz", "noor.ylmaz@outlook.com"),
    ("Søren Kjær", "kjaer.soren@web.de")])
def test_a_name_spelt_by_an_email_address(heading: str, email: str) -> None:
    """A CV's heading in capitals, or a sender's name, that an e-mail address on the page
    spells (given name first or surname first, with or without its accents)."""
    cv = [line(heading, 100, 85, h=40), line(f"+39 011 6458925 · {email}", 100, 198)]
    assert names(cv) == [heading]


def test_a_role_mailbox_names_nobody() -> None:
    page = [line("Customer Service", 100, 85, h=40),
            line("customer.service@shop.example", 100, 198)]
    assert names(page) == []


def test_a_signature_with_letters_outside_ascii() -> None:
    """The signature's name over its contact line, with letters ASCII lacks."""
    letter = [line("Kind regards,", 95, 919), line("Hyun-woo Wiśniewska", 96, 970),
              line("+48 22 555 01 23", 96, 1000)]
    assert names(letter) == ["Hyun-woo Wiśniewska"]


def test_the_census_lists_know_a_name_with_its_accents() -> None:
    from pixelsafe.text.names import prior

    assert prior().knows_first("Jérôme") and prior().knows_last("Müller")
    assert not prior().knows_first("Zqxwv")


@pytest.mark.parametrize(("sentence", "name"), [
    ("The policy holder is Søren MacLeod (date of birth 22 OCT 1980).", "Søren MacLeod"),
    ("Betreff: Tomasz MacLeod, geb. 09.05.1994", "Tomasz MacLeod"),
    ("Mijn dochter Wei Ling Tan, geboren op 3 mei 2011, komt naar de club.", "Wei Ling Tan"),
    ("Our client Oluwaseun Adeyemi, born on 12/03/1990, has moved.", "Oluwaseun Adeyemi")])
def test_the_person_a_date_of_birth_belongs_to(sentence: str, name: str) -> None:
    """The name just before a date of birth's label is the person born (the dates set's
    letters: the model took neither of the first two)."""
    assert names([line("Dear Sir or Madam,", 76, 180), line(sentence, 77, 241)]) == [name]


def test_a_date_of_birth_after_no_name_names_nobody() -> None:
    page = [line("Please state the date of birth 22 OCT 1980 of the holder.", 77, 241)]
    assert names(page) == []


@pytest.mark.parametrize(("text", "found"), [
    ("CHEN/OLAMIDE MRS      Seat 12A", ["CHEN/OLAMIDE MRS"]),
    ("GARCIALOPEZ/ANA MARIA MS", ["GARCIALOPEZ/ANA MARIA MS"]),
    ("MUSTERMANN/ERIKA", ["MUSTERMANN/ERIKA"]),  # no title: a given name the lists know
    ("AND/OR", []), ("TCP/IP", []), ("N/A", []), ("KG/CM", [])])
def test_a_passenger_as_airlines_print_one(text: str, found: list[str]) -> None:
    """A booking's or a boarding pass's SURNAME/GIVEN TITLE (bench/gen_life.py's bookings:
    none of its 17 passengers was found before)."""
    assert names([line(text, 60, 215)]) == found


@pytest.mark.parametrize("trade", ["Keller Elektro", "Dubois Menuiserie",
                                   "Riverside Medical Practice"])
def test_a_tradesman_or_a_practice_is_no_person(trade: str) -> None:
    page = [line(trade, 700, 50, h=30), line("12 High Street", 700, 90),
            line("Leeds LS1 6AB", 700, 115), line("Tel 0113 496 0000", 700, 140)]
    assert names(page) == []


@pytest.mark.parametrize(("sentence", "address"), [
    ("the viewing is at 116 Hill Road on Saturday at 11.", "116 Hill Road"),
    ("the viewing is at 11 Cedar Way, Apt 6A on Saturday at 11.", "11 Cedar Way, Apt 6A"),
    ("the viewing is at Mickiewiczalaan 124-2 on Saturday at 11.", "Mickiewiczalaan 124-2"),
    ("See you at 122, rue Station tomorrow", "122, rue Station"),
    ("See you at No. 119, Jalan Birken 4 tomorrow", "No. 119, Jalan Birken 4")])
def test_a_street_in_a_sentence_with_a_time(sentence: str, address: str) -> None:
    """A sentence naming a street and a day or a time ("on Saturday at 11"): the time no
    longer hides the street, and only the street's own words are taken, its name after its
    street word too (the first two were missed before, the last two cut at "rue", "Jalan")."""
    assert addresses_of([line(sentence, 26, 289)]) == [address]


@pytest.mark.parametrize(("gap", "x", "found"), [
    (5, 700, ["089 747 1115"]),    # straight under the town
    (45, 700, ["089 747 1115"]),   # a blank line between them
    (110, 700, []),                # far below: not the address's
    (5, 300, [])])                 # under it, in another column
def test_a_number_alone_under_an_address_is_its_phone(gap: int, x: int, found: list[str]
                                                     ) -> None:
    """A letterhead's or an invoice's number under its address, with no "Tel" label
    (bench/gen_life.py's invoices: none of the 6 was found before)."""
    page = [line("Brightwater Plumbing", 700, 50, h=30), line("12 High Street", 700, 90),
            line("Sligo F91 X2Y3", 700, 115), line("089 747 1115", x, 135 + gap),
            line("Invoice No. 2025190", 50, 90)]
    assert labelled(page, "phone") == found
    # the same number with no address over it stays unread
    assert labelled([line("Invoice No. 2025190", 50, 90), line("089 747 1115", 700, 180)],
                    "phone") == []


def test_usaddress_needs_a_street_type() -> None:
    assert addresses.us_street("350 Fifth Avenue, Suite 300")
    assert not addresses.us_street("Sent: Thursday, September 20, 2001 4:01 PM")
    assert not addresses.us_street("910845- TRILON-E CRM")


def test_a_receipt_address_over_four_lines_is_one_finding() -> None:
    receipt = [line("BOOK TA .K(TAMAN DAYA) SDN BHD", 50, 80), line("789417-W", 150, 121),
               line("NO.53 55,57 & 59, JALAN SAGU 18,", 60, 144), line("TAMAN DAYA,", 140, 169),
               line("81100 JOHOR BAHRU,", 120, 194), line("JOHOR.", 170, 219),
               line("TEL:07-3507405", 130, 244)]
    assert addresses_of(receipt) == [
        "NO.53 55,57 & 59, JALAN SAGU 18, TAMAN DAYA, 81100 JOHOR BAHRU, JOHOR."]


def test_an_address_in_prose_and_under_a_label() -> None:
    prose = [line("Please send it to 12 Baker Street, London NW1 6XE before the end of "
                  "next week, thanks.", 50, 100)]
    assert addresses_of(prose) == ["12 Baker Street, London NW1 6XE"]
    card = [line("Address", 50, 100, h=14), line("Kerkstraat 12", 50, 118),
            line("1012 AB Amsterdam", 50, 142)]
    assert addresses_of(card) == ["Kerkstraat 12, 1012 AB Amsterdam"]
    assert addresses_of([line("Address: Columbia, Mo.", 50, 100)]) == ["Columbia, Mo."]


def test_a_label_takes_no_sentence_as_its_address() -> None:
    lines = [line("home address:", 50, 100),
             line("Invoice INV-2024-00871 is attached; the total is 1,249.00 GBP.", 50, 150)]
    assert addresses_of(lines) == []


# --- dates of birth ----------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["12 NOV 1955", "Feb 10, 1964", "10.03.2001", "1977-04-19",
                                   "Mar. 16. 1840", "12. März 1955", "17-Sep-1977"])
def test_dates_of_birth_in_common_formats(value: str) -> None:
    assert labelled([line(f"Date of birth: {value}", 50, 100)], "date_of_birth") == [value]


def test_a_date_of_birth_under_its_label_in_a_column() -> None:
    lines = [line("NAME:", 50, 113), line("TITLE: Instructor", 315, 113),
             line("BIRTHDATE:", 650, 113), line("Tufts University", 315, 130),
             line("11/23/33", 653, 134)]
    assert labelled(lines, "date_of_birth") == ["11/23/33"]
    assert labelled([line("Invoice date 11/23/33", 50, 100)], "date_of_birth") == []


# --- models --------------------------------------------------------------------------------------

def test_the_new_models_are_pinned_and_verified() -> None:
    assert (ner_model_path() / "ner" / "model").is_file()
    assert usaddress_model_path().name == "usaddr.crfsuite"
    assert set(name_list_paths()) == {"dist.male.first", "dist.female.first", "dist.all.last"}


# --- a till's receipt: its people, its items, its notices (receipts-sroie's names) ---------

def test_a_street_line_is_no_list_of_cited_authors() -> None:
    """"Lot PTD 20415 Tmn Kenanga B" has two "Surname I" shapes: on a line with a street
    and its number they are the address's, which was lost to them before."""
    page = [line("PETRO STATION KENANGA", 50, 40), line("Lot PTD 20415 Tmn Kenanga B", 50, 70),
            line("81750 Masai Johor", 50, 100)]
    assert labelled(page, "cited_author") == [] and names(page) == []
    assert addresses_of(page) == ["Lot PTD 20415 Tmn Kenanga B, 81750 Masai Johor"]


@pytest.mark.parametrize("notice", ["GOODS HUST BE IN ORIGINAL STATE", "GOODS MUST BE IN ORIGINAL",
                                    "ITEMS ARE NOT RETURNABLE", "EXCHANGE WITHIN"])
def test_a_receipts_notice_in_capitals_is_no_name(notice: str) -> None:
    """The model reads a block in capitals title-cased, where a notice looks like a name
    (receipts-sroie's "GOODS HUST BE IN ORIGINAL STATE" was one): a name holds no "are",
    "be", "within", nor "IN" taken for initials."""
    assert not plausible(notice, notice, len(notice))
    assert names([line("PLS KEEP THE RECEIPT FOR", 50, 575), line(notice, 50, 600),
                  line("7 DAYS WITH RECEIPT.", 50, 625)]) == []


def test_a_fields_label_alone_on_its_line_is_no_name() -> None:
    page = [line("Terminal ID:", 50, 500), line("Entry Mode:", 50, 525),
            line("TRM/STAN:", 50, 550), line("Card:", 50, 575)]
    assert names(page) == []
    assert names([line("Tommy:", 50, 300), line("Please send the figures today.", 50, 330)]) \
        == ["Tommy"]  # a letter's greeting alone on its line


@pytest.mark.parametrize(("rows", "found"), [
    ([("OPERATOR ABK - SITI AMINAH", 50)], ["ABK - SITI AMINAH"]),
    ([("Attendant:", 50), ("Rahim Osman", 50)], ["Rahim Osman"]),
    ([("Salesperson: Chong Wei Ling", 50)], ["Chong Wei Ling"]),
    ([("OPERATOR TRAINEE CASHIER", 50)], []),
    ([("Attendant Tag Card", 50)], [])])
def test_a_tills_people(rows: list[tuple[str, int]], found: list[str]) -> None:
    """Who served, rang up or pumped is named after the till's own label: operator,
    attendant, salesperson (the three were missed before); a role or a card is no name."""
    page = [line(text, x, 400 + 30 * k) for k, (text, x) in enumerate(rows)]
    assert names(page) == found


def test_a_bills_items_are_no_names() -> None:
    """An item whose price is on its row, or on the row under it right of its middle (its
    barcode's row), is no person, however the model reads it."""
    page = [line("Item", 50, 300), line("Qty", 400, 300), line("Amount", 600, 300),
            line("Whole Chicken", 50, 330), line("2006031014359", 60, 352),
            line("10.99*1.306", 400, 352), line("14.35", 600, 352),
            line("Katsu Don (Fish)Set", 50, 380), line("9.90", 600, 381),
            line("Member: Tan Mei Ling", 50, 440)]
    assert names(page) == ["Tan Mei Ling"]


def test_a_bills_column_heading_is_no_name() -> None:
    """A table's heading row ("Description", "U.P ISS", "Exc", "D Sale", "Amt(RM)"): the
    model took "D Sale" for a person; three headings or more on its row, one of them a
    till's word, make it a column's. A name on a row of its own stays one."""
    row = [line("Description", 20, 605), line("U.P ISS", 174, 604), line("Exc", 265, 606),
           line("D Sale", 325, 605), line("Amt(RM)", 423, 604)]
    assert bill_line(row, 3)
    assert not bill_line([line("D Sale", 325, 605), line("Description", 20, 680)], 0)
    assert not bill_line([line("Anna Weber", 20, 100), line("Tel", 300, 100),
                          line("Mobile", 500, 100), line("Fax", 700, 100)], 0)


def test_a_postcode_alone_under_its_street() -> None:
    """"47301" on its own line under the street is the address's postcode (it was left
    readable before); over the street, or alone on a page, a bare number is no address."""
    page = [line("LOT F5 & 6, SUNWAY MALL", 50, 70), line("NO 3, JLN SS 21/37", 50, 95),
            line("47400", 50, 120), line("GST Reg No: 000123456789", 50, 145)]
    assert addresses_of(page) == ["LOT F5 & 6, SUNWAY MALL, NO 3, JLN SS 21/37, 47400"]
    above = [line("47400", 50, 70), line("NO 3, JLN SS 21/37", 50, 95)]
    assert addresses_of(above) == ["NO 3, JLN SS 21/37"]
    assert addresses_of([line("Order", 50, 70), line("47400", 50, 95)]) == []


@pytest.mark.parametrize(("middle", "whole"), [
    ("(Y) U12/Y, KOTA KEMUNING,", True),   # a district the OCR misread
    ("TEL: 03-5121 0000", False),          # a phone between them
    ("Receipt No: CS0042", False),         # a receipt's field
    ("Thank you for shopping with us today", False)])
def test_one_odd_line_between_two_pieces_of_an_address(middle: str, whole: bool) -> None:
    """A street and its postcode's town with one line between them that no grammar reads
    are one address when that line could be an address's (before, it stayed readable)."""
    page = [line("NO. 21-G, JALAN KEMUNING INDAH", 50, 70), line(middle, 50, 95),
            line("SEKSYEN 31, 40460 SHAH ALAM,", 50, 120)]
    found = addresses_of(page)
    if whole:
        assert found == [f"NO. 21-G, JALAN KEMUNING INDAH, {middle.rstrip(',')}, "
                         "SEKSYEN 31, 40460 SHAH ALAM"]
    else:
        assert middle not in " ".join(found) and len(found) == 2


@pytest.mark.parametrize(("greeting", "found"), [
    ("Dear Björn,", ["Björn Adeyemi"]), ("Hej Björn!", ["Björn Adeyemi"]),
    ("Dear Sir or Madam,", [])])
def test_the_addressee_the_letter_greets(greeting: str, found: list[str]) -> None:
    """A recipient whose names the census lists do not know ("Björn Adeyemi", under the
    sender's company line) is the addressee when the letter greets its first word (the
    generated world set's letters: three such names missed before)."""
    page = [line("Northwind Traders Ltd", 96, 330), line("Björn Adeyemi", 96, 370),
            line("Calle Długa, 8", 96, 397), line("36547 Sevilla", 96, 427),
            line(greeting, 96, 720), line("the parcel leaves on the 14th.", 96, 780)]
    assert [n for n in names(page) if n != "Björn"] == found


def test_a_job_and_a_studio_are_no_person() -> None:
    """A CV's row, its role and its employer: the model took both for people."""
    assert names([line("2019 - 2023", 96, 460), line("Project Lead, Fabrikam Studio", 317, 460),
                  line("Engineer, Tailspin Aviation", 317, 541)]) == []
