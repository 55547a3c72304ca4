"""T1 fairness: the question check (就業服務法 §5), its lexicon and bank, the advert check. The held-out phrasings
are written here, not taken from the bank, so the check is tested on text its rules were not written from."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

import pytest
from pydantic import ValidationError

from casekit.cases.t1_recruitment.advert import AdvertIssue, JobAdvert, check_advert
from casekit.cases.t1_recruitment.fairness import MAX_QUESTION, check_question, initialise
from casekit.cases.t1_recruitment.lexicon import (
    GROUNDS,
    PRIVATE_DATA,
    FairnessDataError,
    load_lexicon,
    load_question_bank,
    normalise,
    parse_lexicon,
    parse_question_bank,
)
from casekit.errors import UsageError
from casekit.i18n import catalog
from casekit.scenario.catalogs import load_law, load_skills
from casekit.scenario.spec import minimum_wage


def grounds(text: str) -> set[str]:
    return {flag.ground for flag in check_question(text)}


# ---------------------------------------------------------------------------------------------- held-out phrasings
HELD_OUT_UNFAIR = [
    ("請問您打算幾歲結婚？", "age"),
    ("妳未來三年內會考慮懷孕嗎？", "pregnancy"),
    ("How old will you be next year?", "age"),
    ("Are you planning to have kids in the next few years?", "pregnancy"),
    ("你屬什麼生肖？", "age"),
    ("Which church do you attend?", "religion"),
    ("你父親從事什麼行業？", "class"),
    ("Have you ever been arrested?", "criminal_record"),
    ("聽說你是O型，個性比較急嗎？", "blood_type"),
    ("Is English your first language?", "language"),
    ("你是外省人還是本省人？", "native_place"),
    ("Do you belong to a labour union?", "union_membership"),
    ("你有沒有身心方面的疾病？", "health"),
    ("What's your zodiac sign?", "zodiac"),
    ("Would you be willing to take a lie detector test?", "polygraph"),
    ("你的信用狀況良好嗎？", "credit_record"),
    ("你跟另一半交往多久了？", "marital_status"),
    ("你有没有男朋友？", "marital_status"),  # Simplified
    ("你老家在哪裡？", "native_place"),
    ("Are you a Christian or a Buddhist?", "religion"),
    ("你平常支持國民黨還是民進黨？", "political_party"),
    ("你有刺青嗎？", "appearance"),
    ("Have you ever been treated for depression?", "health"),
    ("你介意提供家族病史嗎？", "genetic"),
    ("入職前要做毒品檢測，可以嗎？", "drug_test"),
    ("Is your husband okay with you working nights?", "marital_status"),
    ("你是單身嗎？", "marital_status"),
    ("我们想了解你的宗教信仰。", "religion"),  # Simplified
    ("你有在服用精神科的藥物嗎？", "health"),
    ("Which year did you finish high school?", "age"),
    ("你今年多大了？", "age"),
    ("你是幾年級生？", "age"),
    ("你有做過ＨＩＶ篩檢嗎？", "hiv"),  # full-width letters
]

HELD_OUT_FAIR = [
    "請描述您如何處理一位懷孕客戶的退貨申請。",
    "How would you confirm a caller's date of birth during identity verification?",
    "若客戶要求以客語溝通，而您不會客語，您會怎麼做？",
    "Can you handle customer calls in English?",
    "本職位需輪值大夜班，您能配合嗎？",
    "請分享一次您教會新人使用CRM系統的經驗。",  # 教會 = taught, not a church
    "Tell me about a time you resolved a dispute between two team members.",
    "客戶因為身心障礙無法親自到場辦理，您會如何協助？",
    "How do you keep your knowledge of new products up to date?",
    "請說明您如何處理客戶對信用卡年費的質疑。",
    "A customer who is going through a divorce wants to close a joint account. How would you proceed?",
    "您會如何向客戶說明我們的個資保護政策？",
    "请描述一次您处理客户投诉的经验。",  # Simplified
    "公司本身高度重視員工發展，您希望得到哪些訓練？",  # 本身/高度, not 身高
    "您在這份工作最想學到什麼？",
    "How would you use job aids during a complex call?",
    "Describe a time you did a blind transfer and it went wrong.",
    "請描述一次您在壓力很大的情況下仍準時完成工作的經驗。",
    "What would you do if a customer's elderly mother called on their behalf?",
    "請描述您如何判斷這通電話屬什麼類型的客訴。",
    "你多大程度上會依照標準話術回應客戶？",
    "How would you explain our maternity benefits to a customer who is pregnant?",
    "請舉例說明您如何處理客戶對貸款利率的抱怨。",
    "如果客戶詢問保單是否涵蓋癌症治療，您會如何回答？",
    "Tell me about a time you gave weight to a colleague's feedback.",
    "Are you able to work on public holidays if the rota requires it?",
    "請說明您的性向測驗結果與這份工作的關係。",  # 性向測驗 = aptitude test
]


@pytest.mark.parametrize(("text", "ground"), HELD_OUT_UNFAIR)
def test_held_out_unfair_questions_are_flagged_for_their_ground(text: str, ground: str) -> None:
    assert ground in grounds(text)


@pytest.mark.parametrize("text", HELD_OUT_FAIR)
def test_held_out_fair_questions_are_not_flagged(text: str) -> None:
    assert check_question(text) == ()


# One phrasing per ground of §5 I and per private-data category, in each language (none from the bank).
EVERY_CATEGORY = {
    "race": ("你是哪個族群的？", "What is your ethnicity?"),
    "class": ("你爸媽是做什麼的？", "What did your father do for work?"),
    "language": ("你在家都講什麼話？", "What language do you speak at home?"),
    "thought": ("你支持廢死嗎？", "What are your political views?"),
    "religion": ("你有宗教信仰嗎？", "Are you religious?"),
    "political_party": ("你是哪一黨的支持者？", "Are you a party member?"),
    "native_place": ("你的籍貫是哪裡？", "Where are your parents from?"),
    "birthplace": ("你的出生地是哪裡？", "What is your place of birth?"),
    "sex": ("這個職缺只找女生，你可以接受嗎？", "What is your gender?"),
    "sexual_orientation": ("你是異性戀嗎？", "Are you straight or bisexual?"),
    "age": ("請問你的出生年月日？", "What is your date of birth?"),
    "marital_status": ("你有配偶嗎？", "Do you have a spouse?"),
    "appearance": ("你覺得自己的外貌有加分嗎？", "How tall are you?"),
    "facial_features": ("你的眼睛是天生這麼大嗎？", "Have you had your nose done?"),
    "disability": ("你有視障或聽障嗎？", "Do you have any disabilities?"),
    "zodiac": ("你是處女座嗎？", "Are you a Scorpio?"),
    "blood_type": ("你的血型跟個性有關嗎？", "Which blood group are you?"),
    "union_membership": ("你在前公司是企業工會的會員嗎？", "Were you in a union at your last job?"),
    "genetic": ("你家有遺傳疾病嗎？", "Is there any hereditary illness in your family?"),
    "drug_test": ("你可以接受藥檢嗎？", "Will you submit to drug screening?"),
    "health": ("你的健康狀況如何？", "Do you have any medical conditions?"),
    "hiv": ("你是愛滋病帶原者嗎？", "What is your HIV status?"),
    "iq_test": ("你的智商測出來多少？", "What was your IQ score?"),
    "fingerprint": ("報到時要留存你的指紋，可以嗎？", "We need to scan your fingerprints at onboarding."),
    "psych_test": ("請先完成這份人格測驗。", "Please complete this personality test first."),
    "honesty_test": ("面試最後有一份誠信測驗。", "The final step is an integrity test."),
    "polygraph": ("你能接受測謊機檢驗嗎？", "Would you take a polygraph?"),
    "credit_record": ("你有沒有負債？", "What is your credit score?"),
    "criminal_record": ("請提供良民證。", "Have you ever been convicted of a crime?"),
    "pregnancy": ("你最近有備孕計畫嗎？", "Are you pregnant?"),
    "background_check": ("我們會對你做身家調查。", "We will run a background investigation on you."),
}


@pytest.mark.parametrize("ground", sorted(set(GROUNDS) | set(PRIVATE_DATA)))
def test_every_ground_and_category_is_detectable_in_both_languages(ground: str) -> None:
    assert len(GROUNDS) == 18 and len(EVERY_CATEGORY) == len(GROUNDS) + len(PRIVATE_DATA)
    zh, en = EVERY_CATEGORY[ground]
    assert ground in grounds(zh), zh
    assert ground in grounds(en), en


# ------------------------------------------------------------------------------------------------ the bank
def test_the_bank_is_large_enough_half_fair_and_names_real_skills() -> None:
    bank = load_question_bank()
    skills = {s.id for s in load_skills()}
    categories = {c.id for c in load_lexicon().categories}
    assert len(bank) >= 64
    assert sum(q.fair for q in bank) >= len(bank) / 2
    assert len({q.id for q in bank}) == len(bank)
    for q in bank:
        assert q.competency == "" or q.competency in skills
        assert (q.ground is None) if q.fair else (q.ground in categories and q.competency == "")
    assert sum(bool(q.zh_hans) for q in bank) >= 10
    assert {q.ground for q in bank if not q.fair} >= {"age", "marital_status", "religion", "zodiac", "blood_type"}


def test_the_check_is_accurate_on_the_labelled_bank() -> None:
    tp = fp = fn = 0
    for q in load_question_bank():
        for lang in ("zh-TW", "zh-Hans", "en"):
            if not q.text(lang):
                continue
            said = bool(check_question(q.text(lang)))
            tp += said and not q.fair
            fp += said and q.fair
            fn += not said and not q.fair
    assert tp / (tp + fp) >= 0.9
    assert tp / (tp + fn) >= 0.9


# ---------------------------------------------------------------------------------------- how text is handled
def test_simplified_and_full_width_text_is_normalised() -> None:
    assert normalise("你信什么教？") == "你信什麼教?"
    assert normalise("ＨＩＶ") == "hiv"
    assert normalise("交往對象") == "交往對象"  # Traditional text keeps its words (s2twp would write 物件)
    assert grounds("你信什么教？") == grounds("你信什麼教？") == {"religion"}


@pytest.mark.parametrize(
    "text",
    [
        "福利：結婚禮金、生育津貼、勞工退休金提撥6%。",  # benefits, not questions about marriage or age
        "請說明我們的服務對象有哪些。",
        "客戶有B型肝炎，要求理賠，您如何說明？",  # hepatitis B, not blood type B
        "We use a credit union and the European Union's data rules.",
        "How would you verify a customer's age before opening an account?",
    ],
)
def test_words_and_contexts_that_only_look_like_a_ground(text: str) -> None:
    assert check_question(text) == ()


@pytest.mark.parametrize(
    "text",
    [
        "客戶問你結婚了沒，你怎麼回答？",  # the candidate is asked, through a customer
        "Would our customers mind your religion?",
        "你是否懷孕？",
    ],
)
def test_a_customer_in_the_clause_does_not_excuse_a_question_about_the_candidate(text: str) -> None:
    assert check_question(text) != ()


def test_each_flag_explains_itself_with_its_article() -> None:
    (flag,) = check_question("你結婚了嗎？")
    assert (flag.ground, flag.kind, flag.article, flag.term) == ("marital_status", "ground", "esa_5_1", "結婚")
    assert flag.explain("zh-TW") == "涉及「婚姻」：就業服務法第5條第1項禁止以婚姻為由歧視求職人"
    assert "Employment Service Act art. 5(1)" in flag.explain("en") and "marital status" in flag.explain("en")
    (private,) = check_question("Do you have a criminal record?")
    assert private.kind == "private_data" and private.article == "esa_5_2_2"
    assert "施行細則第1條之1" in private.explain("zh-TW") and "Enforcement Rules" in private.explain("en")
    (sex,) = check_question("What is your gender?")
    assert "性別平等工作法第7條" in sex.explain("zh-TW")
    en, zh = ({k for k in catalog(lang) if k.startswith("t1fair.")} for lang in ("en", "zh-TW"))
    assert en == zh and en


def test_flags_come_in_text_order_one_per_ground_and_text_is_bounded() -> None:
    flags = check_question("你結婚了嗎？有生小孩的打算嗎？結婚多久了？")
    assert [f.ground for f in flags] == ["marital_status", "pregnancy"]
    assert check_question("   ") == ()
    with pytest.raises(UsageError):
        check_question("字" * (MAX_QUESTION + 1))


def test_a_check_takes_under_five_milliseconds_after_initialisation() -> None:
    initialise()
    texts = [q.text(lang) for q in load_question_bank() for lang in ("zh-TW", "en")]
    times = []
    for text in texts:
        start = time.perf_counter()
        check_question(text)
        times.append(time.perf_counter() - start)
    assert statistics.median(times) < 0.005


def test_initialisation_is_quiet() -> None:
    code = "from casekit.cases.t1_recruitment.fairness import check_question; print(len(check_question('你幾歲？')))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert done.stdout.strip() == "1"
    assert done.stderr == ""


# ----------------------------------------------------------------------------------------- malformed data
BAD_LEXICON = r"""
schema_version: 1
categories:
  - id: age
    kind: private_data
    article: esa_5_1
    label: {zh-TW: 年齡, en: age}
    zh: [年龄]
    en: [Age]
    indirect_zh: ['(unclosed']
  - id: hobbies
    kind: ground
    article: esa_9
    label: {zh-TW: 嗜好}
    zh: [年紀]
    en: [hobby]
exemptions:
  subjects_zh: [客戶]
  subjects_en: ['\bcustomer\b']
  second_person_zh: [你]
  second_person_en: ['\byou\b']
  masks_en: ['[bad']
"""


def test_a_malformed_lexicon_is_reported_with_every_problem_at_once() -> None:
    with pytest.raises(FairnessDataError) as info:
        parse_lexicon(BAD_LEXICON, "bad_lexicon.yaml")
    fields = {p.field for p in info.value.problems}
    first = {f"categories[0].{f}" for f in ("kind", "zh[0]", "en[0]", "indirect_zh[0]")}
    second = {f"categories[1].{f}" for f in ("id", "article", "label.en")}
    assert first | second | {"categories", "exemptions.masks_en[0]"} <= fields
    assert all(p.file == "bad_lexicon.yaml" for p in info.value.problems)
    text = info.value.render("en")
    assert "bad_lexicon.yaml: categories[0].indirect_zh[0]" in text and "regular expression" in text
    assert "missing: " in text and "race" in text
    assert "t1fair." not in text and "t1fair." not in info.value.render("zh-TW")  # every key has its message


def test_a_lexicon_with_a_syntax_error_names_the_line() -> None:
    with pytest.raises(FairnessDataError) as info:
        parse_lexicon("schema_version: 1\ncategories: [\n", "broken.yaml")
    assert "line" in info.value.problems[0].field


def test_a_malformed_bank_is_reported_with_every_problem_at_once() -> None:
    bank = """
schema_version: 1
questions:
  - {id: IQ001, zh-TW: "你幾歲？", en: "How old?", fair: true, ground: age, competency: "", type: other}
  - {id: IQ001, zh-TW: "你結婚了嗎？", en: "Married?", fair: false, ground: null, competency: "", type: other}
  - {id: IQ003, zh-TW: "請描述", en: "Describe", fair: false, ground: age, competency: crm_system, type: other}
  - {id: IQ004, zh-TW: "請描述", en: "Describe", fair: true, ground: null, competency: juggling, type: chat}
"""
    with pytest.raises(FairnessDataError) as info:
        parse_question_bank(bank, "bad_bank.yaml")
    fields = {p.field for p in info.value.problems}
    expected = ["0].ground", "1].id", "1].ground", "2].competency", "3].competency", "3].type"]
    assert {f"questions[{f}" for f in expected} | {"questions"} <= fields
    assert "t1fair." not in info.value.render("en")


# ------------------------------------------------------------------------------------------------ adverts
RULES = {
    "band": (30_000, 36_000),
    "minimum_monthly": minimum_wage(2026)["monthly"],  # type: ignore[index]
    "disclosure_threshold": load_law()["job_ad_pay_disclosure_threshold"],
}


def codes(issues: list[AdvertIssue]) -> list[tuple[str, str]]:
    return [(i.code, i.ground or i.field) for i in issues]


def test_a_lawful_advert_has_no_issues() -> None:
    advert = JobAdvert(
        title="客服專員",
        text="負責接聽客戶來電。需可配合輪班（含週末）。福利：結婚禮金、生育津貼。月薪 31,000 至 35,000 元。",
        pay_min=31_000,
        pay_max=35_000,
        requested_data=["履歷", "學歷證明", "身分證影本"],
    )
    assert check_advert(advert, **RULES) == []


def test_grounds_and_private_data_in_title_text_and_requested_data() -> None:
    advert = JobAdvert(
        title="客服專員（限女性，25歲以下）",
        text="歡迎未婚者應徵。Applicants must state their religion.",
        pay_min=31_000,
        pay_max=35_000,
        requested_data=["履歷", "血型", "近三個月信用報告"],
    )
    found = codes(check_advert(advert, **RULES))
    grounds_found = [("ground", g) for g in ("sex", "age", "marital_status", "religion", "blood_type")]
    assert found == [*grounds_found, ("private_data", "credit_record")]
    issue = check_advert(advert, **RULES)[-1]
    assert issue.field == "requested_data[2]" and issue.article == "esa_5_2_2"
    assert issue.explain("zh-TW").startswith("【要求提供的資料】") and "Data requested" in issue.explain("en")


def test_a_vacancy_under_the_threshold_must_show_its_range() -> None:
    negotiable = JobAdvert(title="客服專員", text="薪資面議。", pay_negotiable=True)
    (issue,) = check_advert(negotiable, **RULES)
    assert (issue.code, issue.article) == ("pay_range_missing", "esa_5_2_6")
    assert "40,000" in issue.explain("zh-TW") and "就業服務法第5條第2項第6款" in issue.explain("zh-TW")
    assert "Employment Service Act art. 5(2)(vi)" in issue.explain("en")
    only_min = JobAdvert(title="Agent", pay_min=31_000)
    assert codes(check_advert(only_min, **RULES)) == [("pay_range_missing", "pay")]
    # a band at or above the threshold may say "negotiable"
    high = {**RULES, "band": (42_000, 50_000)}
    assert check_advert(negotiable, **high) == []
    assert check_advert(JobAdvert(title="Agent", pay_min=42_000), **high) == []


def test_pay_below_the_minimum_wage_or_outside_the_band() -> None:
    advert = JobAdvert(title="Agent", pay_min=28_000, pay_max=38_000)
    issues = check_advert(advert, **RULES)
    assert [i.code for i in issues] == ["below_minimum_wage", "outside_band"]
    low, band = issues
    assert low.article == "lsa_21" and "29,500" in low.explain("en") and "勞動基準法第21條" in low.explain("zh-TW")
    assert "30,000" in band.explain("en") and "36,000" in band.explain("zh-TW")


def test_the_advert_model_refuses_bad_input() -> None:
    with pytest.raises(ValidationError):
        JobAdvert(title="Agent", salary=30_000)  # type: ignore[call-arg]
    with pytest.raises(ValidationError):
        JobAdvert(title="x" * 121)
    with pytest.raises(ValidationError):
        JobAdvert(title="Agent", requested_data=["履歷"] * 31)
    with pytest.raises(ValidationError) as info:
        JobAdvert(title="Agent", pay_min=36_000, pay_max=30_000)
    assert info.value.errors()[0]["type"] == "casekit_min_le_max"
    advert = JobAdvert(title="Agent")
    with pytest.raises(ValidationError):
        advert.title = "Other"  # type: ignore[misc]
