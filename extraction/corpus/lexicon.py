"""Word lists and sentence templates for the synthetic report corpus.

Everything here is invented. Counties, towns, partnerships, schools and people do not exist; phone
numbers come from Ofcom's ranges reserved for drama, e-mail addresses use the reserved example domains,
and postcode areas are letter pairs no UK postcode uses, so nothing generated can point at a real
family.

Templates use `str.format` fields. `{c}` is the child as the report names them, `{C}` the same at the
start of a sentence, `{he}`/`{his}`/`{him}` (and capitalised forms) the child's pronouns, `{mother}` and
`{father}` the parents as the report names them; the other fields are drawn from the lists below.
"""

from __future__ import annotations

from typing import Final

# County, the nation it lies in, its postcode area and its towns.
COUNTIES: Final[tuple[tuple[str, str, str, tuple[str, ...]], ...]] = (
    ("Northshire", "england", "NS", ("Eastmere", "Holbridge", "Carrow Vale", "Northam Cross")),
    ("Eastmere", "england", "EM", ("Saltby", "Wendlebury Marsh", "Kettlecombe", "Oxmoor")),
    ("Westbrook", "england", "WK", ("Ashcombe", "Brindlehurst", "Westbrook Green", "Lowfield")),
    ("Southvale", "england", "SV", ("Marlingford", "Fenhaven", "Southvale Town", "Dunmere")),
    ("Harrowdene", "england", "HW", ("Thornleigh", "Pellington", "Harrowdene Spa", "Coldstow")),
    ("Midmoor", "england", "MF", ("Brackenby", "Stallow", "Moorhampton", "Cinderford Hill")),
    ("Castlereach", "england", "CQ", ("Redbarrow", "Kingsmere", "Castlereach Bay", "Ormsby Ferris")),
    ("Greywater", "england", "GQ", ("Millhaven", "Tollerby", "Greywater St Giles", "Aldermoor")),
    ("Glanmor", "wales", "GM", ("Abercarrow", "Pontyrafon", "Llanfedwen", "Cwm Tawel")),
    ("Dyffryn Aur", "wales", "DQ", ("Aberllyfni", "Trefelin", "Castell Gwyn", "Nantybwch Uchaf")),
)

STREET_NAMES: Final = (
    "Fenwick Close",
    "Larch Avenue",
    "Coldharbour Lane",
    "Meadowsweet Road",
    "Tanner's Row",
    "Chapel Street",
    "Kingfisher Way",
    "Orchard Crescent",
    "Quarry Hill",
    "Brook Terrace",
    "Willowmere Drive",
    "Station Approach",
    "Sycamore Grove",
    "Lime Kiln Lane",
    "Heron Court",
)

GIRL_NAMES: Final = (
    "Leah",
    "Chloe",
    "Amelia",
    "Kayleigh",
    "Isla",
    "Maisie",
    "Jade",
    "Courtney",
    "Ruby",
    "Freya",
    "Aaliyah",
    "Poppy",
    "Tia",
    "Megan",
    "Sienna",
    "Nadia",
    "Bethany",
    "Lacey",
    "Imogen",
    "Evie",
)
BOY_NAMES: Final = (
    "Tyler",
    "Kyle",
    "Callum",
    "Jayden",
    "Riley",
    "Mason",
    "Connor",
    "Harvey",
    "Leon",
    "Kai",
    "Reuben",
    "Ethan",
    "Bradley",
    "Dylan",
    "Aaron",
    "Lewis",
    "Jamal",
    "Owen",
    "Archie",
    "Liam",
)
WOMEN_NAMES: Final = (
    "Donna",
    "Kerry",
    "Stacey",
    "Michelle",
    "Leanne",
    "Natalie",
    "Gemma",
    "Sharon",
    "Joanne",
    "Claire",
    "Hayley",
    "Tracey",
    "Danielle",
    "Louise",
    "Samantha",
    "Vicky",
    "Rachel",
    "Amy",
)
MEN_NAMES: Final = (
    "Craig",
    "Darren",
    "Lee",
    "Wayne",
    "Stuart",
    "Jason",
    "Gary",
    "Dean",
    "Scott",
    "Carl",
    "Ryan",
    "Mark",
    "Shane",
    "Paul",
    "Neil",
    "Jamie",
    "Martin",
    "Kevin",
)
SURNAMES: Final = (
    "Hartwell",
    "Pellow",
    "Thackeray",
    "Brindley",
    "Ashworth",
    "Calloway",
    "Dunmore",
    "Fairbrother",
    "Gillard",
    "Hebblethwaite",
    "Kettering",
    "Lockwood",
    "Marchbank",
    "Nettleton",
    "Oakshott",
    "Penhallow",
    "Quartermain",
    "Ridgewell",
    "Stanforth",
    "Tregaskis",
    "Underhill",
    "Varley",
    "Whitcombe",
    "Yardley",
    "Blackmore",
    "Cheverton",
    "Dewhurst",
    "Ellerby",
    "Farrant",
    "Greenhalgh",
)
PROFESSIONAL_FIRST_NAMES: Final = (
    "Jane",
    "Alan",
    "Margaret",
    "David",
    "Helen",
    "Richard",
    "Susan",
    "Peter",
    "Fiona",
    "Andrew",
    "Catherine",
    "Robert",
    "Elaine",
    "Nicholas",
    "Judith",
    "Simon",
    "Karen",
    "Graham",
    "Ruth",
    "Philip",
)
PROFESSIONAL_TITLES: Final = ("", "", "", "Dr ", "Professor ")

# Pseudonyms chosen by families or reviewers; never the child's real name.
PSEUDONYMS_GIRL: Final = ("Zara", "Olivia", "Rose", "Lily", "Sky", "Hope", "Daisy", "Grace", "Willow")
PSEUDONYMS_BOY: Final = ("Max", "Sam", "Jack", "Theo", "Leo", "Finn", "Alfie", "Noah", "Oscar")
LETTERS: Final = "ABCDEFGHJKLMNPQRSTVWXY"

PRIMARY_SCHOOLS: Final = (
    "{town} Primary School",
    "St Brannoc's Church of England Primary School",
    "Hillcrest Junior School",
    "Orchard Fields Primary Academy",
    "{town} Infant School",
    "Holy Trinity Catholic Primary School",
)
SECONDARY_SCHOOLS: Final = (
    "{town} Academy",
    "{county} High School",
    "St Aldhelm's Catholic College",
    "Brookfield Community School",
    "{town} School of Science and Technology",
    "Kingsway Pupil Referral Unit",
)
NURSERIES: Final = ("Little Acorns Nursery", "{town} Children's Centre Nursery", "Busy Bees Day Nursery")

HOSPITAL_TRUSTS: Final = (
    "{county} Hospitals NHS Foundation Trust",
    "{town} and District University Hospitals NHS Trust",
    "{county} Royal Infirmary NHS Trust",
)

# Agencies a review may name: (name template, short form used in chronologies).
AGENCIES: Final[tuple[tuple[str, str], ...]] = (
    ("{county} County Council Children's Social Care", "Children's Social Care"),
    ("{county} Police", "Police"),
    ("{trust}", "Hospital"),
    ("{county} Community Health Services (Health Visiting)", "Health Visiting"),
    ("{town} Medical Practice", "GP"),
    ("{county} Child and Adolescent Mental Health Service", "CAMHS"),
    ("{county} Youth Justice Service", "Youth Justice"),
    ("The Probation Service ({county} area)", "Probation"),
    ("{county} Adult Mental Health Service", "Adult Mental Health"),
    ("{county} Drug and Alcohol Recovery Service", "Substance Misuse Service"),
    ("{county} Education Safeguarding Team", "Education"),
    ("{county} Domestic Abuse Partnership Service", "Domestic Abuse Service"),
    ("{county} Housing Options Service", "Housing"),
    ("{county} Ambulance Service NHS Trust", "Ambulance Service"),
    ("{county} School Nursing Service", "School Nursing"),
    ("{county} Early Help Service", "Early Help"),
)

ROLES: Final = (
    "the social worker",
    "the health visitor",
    "the GP",
    "the school nurse",
    "the family support worker",
    "the designated safeguarding lead",
    "the midwife",
    "the police officer",
    "the team manager",
    "the early help practitioner",
    "the youth justice worker",
    "the CAMHS practitioner",
    "the housing officer",
    "the probation officer",
    "the paediatrician",
    "the class teacher",
    "the independent domestic violence adviser",
    "the substance misuse worker",
)

MEETINGS: Final = (
    "a strategy discussion",
    "an initial child protection conference",
    "a core group meeting",
    "a child in need meeting",
    "a team around the family meeting",
    "a multi-agency risk assessment conference",
    "a review child protection conference",
    "a professionals' meeting",
    "a multi-agency safeguarding hub discussion",
)

EVENTS: Final = (
    "{role} made a home visit; {mother} was not at home and a card was left",
    "{role} received a notification that police had attended the family home following a reported argument",
    "{mother} missed a planned appointment with {role} and a further appointment was offered",
    "{C} attended the emergency department with a minor injury; the explanation was accepted",
    "a referral was made to Children's Social Care by {role} and was screened as requiring no further action",
    "{meeting} was held; not all agencies were invited and minutes were not circulated",
    "{role} discussed the family in supervision and agreed to continue the current plan",
    "{C} was not brought to a health appointment and a letter was sent to the family",
    "{role} noted that {c} appeared tired and withdrawn and spoke with {mother} at the end of the day",
    "the school recorded a period of poor attendance and contacted {mother} by telephone",
    "{father} was arrested following an incident in the community and later released under investigation",
    "a single assessment was completed and the case was stepped down to early help",
    "{role} made a referral to the housing service after the family received a notice to quit",
    "{mother} told {role} that she felt isolated and had little support from family",
    "{meeting} agreed a safety plan, although it was not shared with the GP",
    "{role} escalated concerns to a team manager under the partnership escalation procedure",
    "the case was transferred between social work teams and a new social worker was allocated",
    "the GP prescribed medication to {mother} and recorded a discussion about low mood",
    "{role} attempted a home visit which was unannounced; nobody answered the door",
    "{C} disclosed to {role} that there had been shouting at home and that {he} did not want to go home",
    "{role} shared information by secure e-mail with Children's Social Care",
)
INFANT_EVENTS: Final = (
    "the health visitor completed a new birth visit and recorded that the home conditions were adequate",
    "the midwife recorded that {mother} had not attended two antenatal appointments",
    "the health visitor gave safe sleep advice and noted that a Moses basket was in the living room",
)
ADOLESCENT_EVENTS: Final = (
    "{C} was reported missing overnight and returned the following morning",
    "{role} completed a return home interview, in which {c} gave little information",
    "{C} was excluded from school for a fixed period following a fight",
    "{C} was found by police in the early hours in the company of older males",
)

ANALYSIS_OPENERS: Final = (
    "Looking at the period as a whole, it is clear that {topic}.",
    "The review has considered {topic} in some detail.",
    "A recurring theme in the agency reports and in conversations with practitioners was {topic}.",
    "It is important to understand {topic} in the context of the pressures on services at the time.",
    "The practitioners' event provided a helpful opportunity to reflect on {topic}.",
    "This section considers {topic} and what it tells us about the wider system.",
)
ANALYSIS_TOPICS: Final = (
    "the way in which agencies understood the family's circumstances",
    "how the plan for {c} was developed and reviewed",
    "the use of multi-agency meetings to coordinate support",
    "the quality of assessments completed by the agencies involved",
    "the way in which {mother}'s own needs were understood",
    "the response to the missed appointments",
    "the involvement of {father} with the family",
    "how practitioners recorded and acted on what they saw",
    "the impact of staff turnover and caseloads on practice",
    "how the family experienced the help that was offered",
)
ANALYSIS_SENTENCES: Final = (
    "{Role} described feeling that the case was 'held' by another agency, and so did not take further "
    "action.",
    "There were a number of occasions when the opportunity to bring the professional network together was "
    "missed.",
    "The records show that each agency held part of the picture, but no agency held all of it.",
    "Practitioners were working with high caseloads, and several told the reviewer that this limited the "
    "time "
    "available for reflective work with the family.",
    "It is understandable that {role} focused on the immediate presenting issue; however, the cumulative "
    "pattern of concerns was not recognised.",
    "The assessment completed in {month_year} was largely based on self-report and did not test what "
    "{mother} said against information held by other agencies.",
    "Although {meeting} was convened, it did not lead to a shared understanding of risk.",
    "This is a finding that is echoed in national reviews, and it is not unique to {county}.",
    "{C}'s lived experience was not always at the centre of the work.",
    "The plan was not outcome focused, and it was not clear how progress would be measured.",
    "Good practice was evident in the persistence of {role}, who continued to offer visits when the family "
    "did not engage.",
    "There is no record that the plan was reviewed when circumstances changed.",
    "When interviewed, {role} reflected that with hindsight more could have been done, but the information "
    "available at the time did not indicate a high level of risk.",
    "The agency report acknowledges that its procedures were not followed on this occasion.",
    "Case records were detailed but largely descriptive, with limited analysis of what the information meant "
    "for {c}.",
    "The family moved between two addresses during this period, which added to the difficulty of maintaining "
    "contact.",
    "Managers have since introduced a revised audit process which should identify similar cases.",
    "The family's engagement was sporadic, and appointments were frequently cancelled at short notice.",
    "{Role} made appropriate enquiries and recorded the outcome clearly.",
    "It was not possible to establish from the records why the referral was closed without an assessment.",
    "The threshold document in use at the time was open to interpretation and was applied inconsistently.",
    "The reviewer was told that the service was operating with a significant number of vacancies.",
    "The COVID-19 restrictions in place at the time meant that many contacts took place by telephone.",
    "Practitioners spoke warmly of {c} and described a child who was 'always smiling'.",
    "The reasons for the decision were not recorded, which made it difficult for other practitioners to "
    "understand the plan.",
    "This was a missed opportunity to consider the family history in full.",
)
QUOTES: Final = (
    "We all thought someone else was doing it.",
    "You only ever saw what they wanted you to see.",
    "Looking back, I think we were too optimistic.",
    "There was never enough time to sit down and think about the whole picture.",
    "I did raise it, but I didn't know where to take it after that.",
    "The family were always polite, and that made it harder to challenge.",
)

# Positive statements of a code (the report says it applies), then negated or hedged mentions that
# must not be coded. Each positive sentence is the evidence for its code.
RISK_FACTOR_POSITIVE: Final[dict[str, tuple[str, ...]]] = {
    "domestic_abuse": (
        "There was a history of domestic abuse between {mother} and {father}, with police called to the home "
        "on several occasions.",
        "{Mother} had experienced coercive and controlling behaviour from a previous partner.",
        "Police recorded four domestic abuse incidents at the family home during the review period.",
    ),
    "parental_mental_ill_health": (
        "{Mother} had a long history of depression and anxiety and had been prescribed antidepressants.",
        "{Mother} experienced postnatal depression after the birth of {c}.",
        "{Father} had been diagnosed with a personality disorder and was known to adult mental health "
        "services.",
    ),
    "parental_alcohol_misuse": (
        "{Father} misused alcohol and was often described as intoxicated when professionals visited.",
        "{Mother}'s alcohol use increased significantly during the period under review.",
        "Both parents had a history of alcohol misuse.",
    ),
    "parental_drug_misuse": (
        "{Mother} had a long-standing heroin addiction and was prescribed methadone.",
        "{Father} used cannabis daily and had previously used cocaine.",
        "Drug paraphernalia was seen in the home by {role}.",
    ),
    "parental_learning_disability": (
        "{Mother} has a learning disability and had been supported by adult social care as a young person.",
        "An assessment identified that {mother} had significant learning difficulties that affected her "
        "understanding of written information.",
    ),
    "parental_criminality": (
        "{Father} had a number of convictions for violent offences and had recently been released from "
        "prison.",
        "{Father} was subject to licence conditions managed by the Probation Service.",
    ),
    "young_parents": (
        "{Mother} was 17 when {c} was born and was herself a care leaver.",
        "Both parents were teenagers when {c} was born.",
    ),
    "unknown_male": (
        "A new partner, known only by his first name, was living in the household for some months before "
        "professionals became aware of him.",
        "{Mother} had a new partner about whom agencies knew very little.",
    ),
    "housing_instability": (
        "The family moved address five times in two years and spent periods in temporary accommodation.",
        "The family were placed in bed and breakfast accommodation after being evicted.",
    ),
    "poverty": (
        "The family lived in significant poverty and relied on food banks.",
        "Debt and financial hardship were a constant source of stress for the family.",
    ),
    "social_isolation": (
        "{Mother} was socially isolated and had no contact with her own family.",
        "The family had recently moved to the area and had no support network.",
    ),
    "previous_child_removed": (
        "An older sibling had been removed from {mother}'s care and adopted.",
        "{Mother}'s two older children were subject to care proceedings and live with their paternal "
        "grandmother.",
    ),
    "adolescent_self_harm": (
        "{C} had self-harmed by cutting on a number of occasions.",
        "{C} told the school nurse that {he} had been self-harming for several months.",
        "{C} attended the emergency department after taking an overdose of paracetamol.",
    ),
    "missing_episodes": (
        "{C} was reported missing from home on eleven occasions.",
        "There were repeated missing episodes, often overnight, when {c} was found in another town.",
    ),
    "online_harm": (
        "{C} was contacted by adults through social media and sent indecent images.",
        "{C} was being groomed online by an adult {he} had met through a gaming platform.",
    ),
}
RISK_FACTOR_NEGATED: Final[dict[str, tuple[str, ...]]] = {
    "domestic_abuse": (
        "There was no evidence of domestic abuse within the household.",
        "No agency held any information to suggest domestic abuse.",
    ),
    "parental_mental_ill_health": (
        "Neither parent had any known history of mental ill-health.",
        "There is nothing in the records to indicate that {mother} experienced mental health difficulties.",
    ),
    "parental_alcohol_misuse": (
        "Alcohol misuse was not a feature in this family.",
        "There was no indication that either parent misused alcohol.",
    ),
    "parental_drug_misuse": (
        "It is not known whether {mother} used cannabis.",
        "There was no evidence of drug use by either parent.",
    ),
    "parental_learning_disability": ("Neither parent was thought to have a learning disability.",),
    "parental_criminality": ("Neither parent had any criminal convictions.",),
    "young_parents": ("The parents were in their thirties and were not young parents.",),
    "unknown_male": ("There was no indication that any other adult lived in or visited the household.",),
    "housing_instability": (
        "The family had lived at the same address for many years and their housing was stable.",
    ),
    "poverty": ("Financial hardship did not appear to be a significant factor.",),
    "social_isolation": ("The family had a wide network of support from relatives and friends.",),
    "previous_child_removed": ("No children had previously been removed from the care of either parent.",),
    "adolescent_self_harm": ("There was no known history of self-harm.",),
    "missing_episodes": ("{C} had never been reported missing.",),
    "online_harm": ("The police examination of devices found no evidence of online grooming.",),
}

HARM_POSITIVE: Final[dict[str, tuple[str, ...]]] = {
    "physical_abuse": (
        "{C} had unexplained bruising which was later found to have been inflicted.",
        "The medical evidence indicated that {c} had suffered physical abuse over a period of time.",
    ),
    "neglect": (
        "{C} experienced chronic neglect: home conditions were very poor and {his} basic needs were often "
        "unmet.",
        "There were long-standing concerns about neglect, including poor hygiene and missed health "
        "appointments.",
    ),
    "sexual_abuse": (
        "{C} disclosed that {he} had been sexually abused by a family friend.",
        "The investigation found that {c} had been sexually abused over a number of years.",
    ),
    "sexual_exploitation": (
        "{C} was being sexually exploited by a group of adult men.",
        "Agencies had identified that {c} was at high risk of child sexual exploitation.",
    ),
    "criminal_exploitation": (
        "{C} was being criminally exploited and was found in possession of drugs in another county.",
        "There was clear evidence that {c} was involved in county lines drug dealing.",
    ),
    "emotional_abuse": (
        "{C} was exposed to persistent emotional abuse, including being belittled and rejected.",
        "The review found that {c} experienced emotional harm through exposure to parental conflict.",
    ),
    "fabricated_induced_illness": (
        "It was later established that {mother} had fabricated symptoms, leading to repeated hospital "
        "admissions.",
    ),
}
HARM_NEGATED: Final[dict[str, tuple[str, ...]]] = {
    "physical_abuse": ("There were no concerns about physical abuse prior to the incident.",),
    "neglect": ("The home was described as clean and well organised, and neglect was not a concern.",),
    "sexual_abuse": ("There was no indication that {c} had been sexually abused.",),
    "sexual_exploitation": ("There is nothing to suggest that {c} was at risk of sexual exploitation.",),
    "criminal_exploitation": ("Police found no evidence that {c} was involved in criminal exploitation.",),
    "emotional_abuse": ("It is not known whether {c} experienced emotional abuse.",),
    "fabricated_induced_illness": (
        "Fabricated or induced illness was considered and ruled out by the paediatrician.",
    ),
}

THEME_POSITIVE: Final[dict[str, tuple[str, ...]]] = {
    "information_sharing": (
        "Information was not shared between agencies in a timely way, and the GP was unaware of the police "
        "call-outs.",
        "Important information held by the hospital was not shared with Children's Social Care.",
        "Poor information sharing meant that no single agency had a full picture of the risks.",
    ),
    "voice_of_the_child": (
        "{C}'s voice was largely absent from assessments and plans.",
        "Practitioners rarely spoke to {c} alone, so {his} wishes and feelings were not known.",
    ),
    "professional_curiosity": (
        "Practitioners did not show sufficient professional curiosity about explanations that were given.",
        "A lack of professional curiosity meant that {mother}'s account was accepted without challenge.",
    ),
    "disguised_compliance": (
        "The family's apparent cooperation masked a pattern of disguised compliance.",
        "{Mother} engaged superficially with services, which practitioners now recognise as disguised "
        "compliance.",
    ),
    "escalation": (
        "Concerns were not escalated when the practitioner disagreed with the decision to close the case.",
        "The escalation policy was not used, although several practitioners were unhappy with the plan.",
    ),
    "assessment_of_risk": (
        "The assessment of risk focused on the most recent incident rather than the cumulative history.",
        "Risk assessments were not updated when new information emerged.",
    ),
    "unseen_men": (
        "{Father} was largely invisible to services, and his role in {c}'s life was never assessed.",
        "Agencies did not engage with the men in the household, who remained 'hidden' from view.",
    ),
    "hindsight_free_analysis": (
        "The review has sought to understand practice as it was experienced at the time, avoiding "
        "hindsight bias.",
        "Care has been taken to avoid hindsight bias and to consider what was known or knowable at the time.",
    ),
    "supervision": (
        "Supervision did not provide the reflective space needed to challenge the plan.",
        "Case supervision was infrequent and focused on tasks rather than analysis.",
    ),
    "transitions": (
        "The transition from children's to adult services left a gap in support at a critical time.",
        "{C}'s move from primary to secondary school was not well planned, and information did not follow "
        "{him}.",
    ),
    "thresholds": (
        "Referrals were repeatedly judged not to meet the threshold for a statutory assessment.",
        "Different understandings of thresholds led to the case being stepped down prematurely.",
    ),
}
THEME_NEGATED: Final[dict[str, tuple[str, ...]]] = {
    "information_sharing": ("The review did not identify any concerns about information sharing.",),
    "voice_of_the_child": ("The voice of the child was not raised as an issue by any agency in this case.",),
    "professional_curiosity": ("There was no suggestion that practitioners lacked curiosity in this case.",),
    "disguised_compliance": ("There was no evidence of disguised compliance; the family engaged genuinely.",),
    "escalation": ("Escalation was not an issue in this case, as there were no professional disagreements.",),
    "assessment_of_risk": ("The review did not find any shortcomings in the assessment of risk.",),
    "unseen_men": ("{Father} was well known to services and was included in all assessments.",),
    "supervision": ("Supervision was regular and of good quality, and has not been considered further.",),
    "transitions": ("There were no transitions between services during the period under review.",),
    "thresholds": ("Thresholds were applied consistently and were not a factor in this case.",),
}

FINDING_STATEMENTS: Final[dict[str, tuple[str, ...]]] = {
    "information_sharing": (
        "Agencies did not share information about domestic incidents in a timely way, so the risk to {c} was "
        "underestimated.",
        "There is no reliable system for sharing information between adult and children's services.",
    ),
    "voice_of_the_child": (
        "The lived experience of {c} was not understood because practitioners did not spend time with {him}.",
        "Children who are pre-verbal need practitioners to observe and record their experience directly.",
    ),
    "professional_curiosity": (
        "Practitioners accepted parental explanations at face value and did not explore inconsistencies.",
    ),
    "disguised_compliance": (
        "Apparent engagement by parents was mistaken for real change, leading to optimistic assessments.",
    ),
    "escalation": (
        "Practitioners are not confident in using the escalation policy when they disagree with decisions.",
    ),
    "assessment_of_risk": (
        "Assessments did not take account of the family history and focused on single incidents.",
    ),
    "unseen_men": (
        "Fathers and male partners are not routinely included in assessments, leaving risks unassessed.",
    ),
    "hindsight_free_analysis": (
        "Understanding what was knowable at the time shows that the system, not individuals, shaped "
        "decisions.",
    ),
    "supervision": (
        "Supervision did not provide practitioners with the opportunity to reflect on cumulative harm.",
    ),
    "transitions": (
        "Transitions between services are not planned, so vulnerable young people lose support.",
    ),
    "thresholds": (
        "Inconsistent understanding of thresholds meant that repeated referrals did not lead to assessment.",
    ),
}

RECOMMENDATION_TEMPLATES: Final = (
    "{partnership_short} should seek assurance that all agencies understand and use the escalation policy, "
    "and should audit its use within six months.",
    "{agency} should review its procedures for recording and sharing information about domestic abuse "
    "incidents with health partners.",
    "{partnership_short} should develop multi-agency training on professional curiosity and the assessment "
    "of cumulative risk.",
    "{agency} should ensure that fathers and male carers are identified and included in all assessments.",
    "{partnership_short} should commission a review of the threshold document and its application at the "
    "front door.",
    "{agency} should strengthen reflective supervision so that practitioners are supported to consider "
    "the child's lived experience.",
    "All agencies should ensure that safe sleep advice is given and recorded at every contact with families "
    "of infants.",
    "{partnership_short} should seek assurance that transition planning begins at least six months before a "
    "young person moves to adult services.",
    "{agency} should review how missed appointments for children are followed up and escalated.",
    "{partnership_short} should work with the Child Death Overview Panel to share the learning from this "
    "review.",
    "{agency} should ensure that the voice of the child is recorded in every assessment and plan.",
    "{partnership_short} should evaluate the impact of the learning from this review after twelve months.",
    "{agency} should audit the quality of return home interviews for children who go missing.",
    "{partnership_short} should promote the use of chronologies in all multi-agency work with families.",
    "{agency} should ensure that information about a parent's mental health is shared with the health "
    "visiting service.",
    "{partnership_short} should raise awareness of criminal exploitation among universal services and "
    "provide guidance on referral routes.",
)

NUMBER_WORDS: Final = (
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
)
MONTHS: Final = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

ETHNICITIES: Final[tuple[tuple[str, str], ...]] = (
    # (how the report says it, the value a coder records)
    ("of White British heritage", "White British"),
    ("a White British", "White British"),
    ("of dual heritage (White British and Black Caribbean)", "Mixed White and Black Caribbean"),
    ("of Black African heritage", "Black African"),
    ("of Pakistani heritage", "Asian Pakistani"),
    ("of White Eastern European heritage", "White Other"),
    ("of Gypsy, Roma or Traveller heritage", "Gypsy, Roma or Traveller"),
    ("of Bangladeshi heritage", "Asian Bangladeshi"),
)
