"""Word lists and sentence templates for the benchmark library generator.

Kept apart from ``generate.py`` so the generator reads as logic and this file as
data. The lists are large enough that 100,000 answers get distinct titles and
ids without numbered suffixes, and varied enough that bodies do not compress
far better than real prose would (which would flatter ``tar czf`` and export).

Nothing here contains digits in subject or population names, because answer ids
are derived from them and must be lowercase ASCII words joined by '-'.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Topic:
    """One topic of the library: its name, the interventions asked about, and its words."""

    name: str
    weight: float
    subjects: tuple[str, ...]
    outcomes: tuple[str, ...]
    mechanisms: tuple[str, ...]
    specialists: tuple[str, ...]
    populations: tuple[str, ...] | None = None  # None: the general adult list

    @property
    def folder(self) -> str:
        """Folder under ``answers/``: the lowercase hyphenated topic name."""
        return self.name.lower().replace(" ", "-")


TOPICS: tuple[Topic, ...] = (
    Topic(
        "Oncology",
        0.18,
        (
            "immunotherapy", "chemotherapy", "radiation therapy", "proton therapy",
            "CAR-T cell therapy", "hormone therapy for breast cancer", "targeted therapy",
            "mammography screening", "colonoscopy screening", "lung cancer screening",
            "HPV vaccination", "genetic testing for cancer risk", "tumour sequencing",
            "active surveillance for prostate cancer", "stem cell transplant",
            "checkpoint inhibitors", "cold cap therapy", "palliative radiotherapy",
            "liquid biopsy", "exercise during cancer treatment",
        ),
        (
            "overall survival", "tumour shrinkage", "the time before the cancer returns",
            "quality of life", "fatigue", "nausea", "the risk of a second cancer",
            "hospital admissions", "pain scores", "treatment-related deaths",
        ),
        (
            "the immune checkpoints that let tumours hide", "fast-dividing cells",
            "DNA repair pathways", "hormone receptors on tumour cells",
            "blood vessel growth around tumours", "the tumour microenvironment",
        ),
        (
            "medical oncologist", "radiation oncologist", "surgical oncologist",
            "oncology nurse specialist", "haematologist",
        ),
    ),
    Topic(
        "Cardiology",
        0.16,
        (
            "statins", "blood thinners", "beta blockers", "ACE inhibitors", "aspirin",
            "cardiac rehabilitation", "a pacemaker", "an implantable defibrillator",
            "catheter ablation", "coronary stents", "bypass surgery",
            "home blood pressure monitoring",
            "a low-salt diet", "SGLT inhibitors", "cholesterol testing", "an echocardiogram",
            "a stress test", "wearable heart monitors", "valve replacement", "omega fatty acids",
        ),
        (
            "heart attacks", "strokes", "blood pressure", "LDL cholesterol",
            "hospital admissions for heart failure", "atrial fibrillation episodes",
            "cardiovascular deaths", "exercise capacity", "chest pain", "bleeding events",
        ),
        (
            "cholesterol production in the liver", "the heart's electrical signals",
            "clot formation in the arteries", "the stiffness of blood vessels",
            "the hormones that regulate salt and water", "inflammation in artery walls",
        ),
        (
            "cardiologist", "cardiac surgeon", "electrophysiologist",
            "cardiac rehabilitation nurse", "vascular specialist",
        ),
    ),
    Topic(
        "Endocrinology",
        0.13,
        (
            "insulin pumps", "continuous glucose monitoring", "metformin", "GLP agonists",
            "thyroid hormone replacement", "radioactive iodine", "testosterone therapy",
            "menopausal hormone therapy", "vitamin D supplements", "bariatric surgery",
            "a low-carbohydrate diet", "intermittent fasting", "bone density scans",
            "bisphosphonates", "growth hormone treatment", "adrenal testing",
            "an artificial pancreas", "diabetes education programmes", "foot screening",
            "islet cell transplantation",
        ),
        (
            "blood sugar control", "HbA levels", "body weight", "episodes of low blood sugar",
            "bone fractures", "thyroid levels", "kidney function", "energy levels",
            "diabetic eye disease", "long-term complications",
        ),
        (
            "insulin sensitivity in muscle and fat", "the feedback loop of the thyroid gland",
            "appetite signals from the gut", "bone turnover", "glucose release from the liver",
            "hormone production in the adrenal glands",
        ),
        (
            "endocrinologist", "diabetes specialist nurse", "dietitian",
            "paediatric endocrinologist", "bone health specialist",
        ),
    ),
    Topic(
        "Neurology",
        0.12,
        (
            "disease-modifying therapy for multiple sclerosis", "deep brain stimulation",
            "migraine prevention medicines", "botulinum toxin injections", "anti-seizure medicines",
            "clot-busting treatment for stroke", "thrombectomy", "levodopa",
            "physiotherapy after stroke", "memory clinics", "an MRI scan", "a lumbar puncture",
            "nerve conduction studies", "cognitive training", "speech therapy",
            "vagus nerve stimulation", "ketogenic diets for epilepsy", "CGRP antibodies",
            "balance training", "sleep studies",
        ),
        (
            "relapse rates", "seizure frequency", "migraine days per month", "disability scores",
            "memory test results", "walking speed", "independence in daily activities",
            "tremor", "falls", "the risk of a second stroke",
        ),
        (
            "signals between nerve cells", "the protective coating of nerves",
            "dopamine levels in the brain", "blood flow to the brain",
            "inflammation in the nervous system", "the pain pathways of the trigeminal nerve",
        ),
        (
            "neurologist", "stroke physician", "neurosurgeon", "neuropsychologist",
            "epilepsy nurse specialist",
        ),
    ),
    Topic(
        "Immunology",
        0.10,
        (
            "allergy shots", "epinephrine auto-injectors", "biologic medicines for asthma",
            "oral immunotherapy for food allergy", "immunoglobulin replacement", "JAK inhibitors",
            "methotrexate", "allergy skin testing", "antihistamines", "steroid inhalers",
            "biologics for eczema", "vaccination with a weakened immune system",
            "rituximab", "an elimination diet", "peanut introduction in infancy",
            "tapering steroids", "TNF inhibitors", "cell therapy for lupus",
            "plasma exchange", "complement inhibitors",
        ),
        (
            "allergic reactions", "asthma attacks", "flare-ups", "serious infections",
            "symptom scores", "steroid use", "joint damage", "skin clearance",
            "emergency visits", "antibody levels",
        ),
        (
            "the antibodies that trigger allergic reactions", "regulatory T cells",
            "inflammatory signalling proteins", "the complement system",
            "immune cells in the lining of the airways", "B cells that make autoantibodies",
        ),
        (
            "immunologist", "allergist", "rheumatologist", "clinical immunology nurse",
            "dermatologist",
        ),
    ),
    Topic(
        "Infectious Diseases",
        0.11,
        (
            "antibiotics", "antiviral treatment for influenza", "the shingles vaccine",
            "pre-exposure prophylaxis for HIV", "antiretroviral therapy", "hepatitis C treatment",
            "travel vaccines", "malaria prevention tablets", "the pneumococcal vaccine",
            "COVID vaccination", "rapid antigen tests", "probiotics after antibiotics",
            "tuberculosis screening", "treatment for Lyme disease", "faecal microbiota transplant",
            "hand hygiene", "masks", "the RSV vaccine", "antifungal medicines",
            "wound care for infections",
        ),
        (
            "infection rates", "hospital admissions", "time to recovery", "transmission to others",
            "antibiotic resistance", "viral load", "serious complications", "deaths",
            "days off work", "recurrent infections",
        ),
        (
            "how bacteria build their cell walls", "viral replication inside cells",
            "the immune memory created by vaccines", "the balance of gut bacteria",
            "how viruses enter cells", "biofilms that protect bacteria",
        ),
        (
            "infectious diseases physician", "microbiologist", "travel medicine specialist",
            "HIV specialist nurse", "public health physician",
        ),
    ),
    Topic(
        "Mental Health",
        0.12,
        (
            "cognitive behavioural therapy", "antidepressants", "mindfulness-based therapy",
            "lithium", "antipsychotic medicines", "exercise for depression", "online therapy",
            "group therapy", "electroconvulsive therapy", "ketamine treatment",
            "transcranial magnetic stimulation", "sleep hygiene", "peer support",
            "family therapy", "EMDR", "light therapy", "stimulant medicines for ADHD",
            "benzodiazepines", "smartphone mental health apps", "crisis plans",
        ),
        (
            "depression scores", "anxiety symptoms", "relapse", "sleep quality",
            "hospital admissions", "daily functioning", "suicidal thoughts", "attention",
            "return to work", "quality of life",
        ),
        (
            "serotonin signalling in the brain", "the brain's stress response",
            "patterns of negative thinking", "sleep and circadian rhythms",
            "connections between brain regions", "dopamine pathways",
        ),
        (
            "psychiatrist", "clinical psychologist", "mental health nurse", "psychotherapist",
            "child and adolescent psychiatrist",
        ),
    ),
    Topic(
        "Pediatrics",
        0.08,
        (
            "childhood vaccination", "ear tubes", "tonsil removal", "fever medicines",
            "antibiotics for ear infections", "growth monitoring", "iron supplements",
            "speech and language therapy", "screen time limits", "sleep training",
            "bedwetting alarms",
            "asthma inhalers", "eczema creams", "newborn screening", "breastfeeding support",
            "vitamin D drops", "developmental screening", "oral rehydration", "head lice treatment",
            "car seat safety",
        ),
        (
            "hospital visits", "school absence", "growth", "sleep", "language development",
            "infections", "symptom days", "parent stress", "weight gain", "complications",
        ),
        (
            "the developing immune system", "growth plates in bones",
            "how children absorb and clear medicines", "the maturing brain",
            "the small airways of young children", "the skin barrier in infants",
        ),
        (
            "paediatrician", "paediatric nurse", "neonatologist", "paediatric surgeon",
            "health visitor",
        ),
        (
            "", " in newborns", " in babies", " in toddlers", " in preschool children",
            " in school-age children", " in teenagers", " for premature babies",
            " for children with asthma", " for children with autism",
            " for children with allergies",
            " for children with diabetes", " for children with a heart condition",
            " for children in day care", " for twins", " for adopted children",
        ),
    ),
)

POPULATIONS: tuple[str, ...] = (
    "", " in children", " in teenagers", " in young adults", " in older adults",
    " during pregnancy", " while breastfeeding", " in women", " in men",
    " for people with kidney disease", " for people with liver disease",
    " for people with heart failure", " for people with diabetes", " for people with obesity",
    " for people who smoke", " after surgery", " for people with a weakened immune system",
    " for people over seventy", " for people with high blood pressure",
    " for people with asthma", " for people with depression", " for people with arthritis",
    " for people with HIV", " after a stroke", " after a heart attack", " during menopause",
    " for athletes", " for shift workers", " for people with disabilities",
    " for people with a family history", " after cancer treatment",
    " for people taking blood thinners", " for people with sleep apnea",
    " for people with anxiety", " for people living alone", " for people with dementia",
)

# (question template, id words): {s} subject, {p} population phrase with its leading space.
ASPECTS: tuple[tuple[str, str], ...] = (
    ("What are the side effects of {s}{p}?", "side-effects"),
    ("How well can {s} work{p}?", "effectiveness"),
    ("How safe is it to use {s}{p}?", "safety"),
    ("What should I know about {s}{p}?", "overview"),
    ("What does the latest research say about {s}{p}?", "research"),
    ("What are the long-term effects of {s}{p}?", "long-term-effects"),
    ("What are the risks of {s}{p}?", "risks"),
    ("What are the alternatives to {s}{p}?", "alternatives"),
    ("How should I prepare for {s}{p}?", "preparation"),
    ("Will insurance cover {s}{p}?", "insurance-coverage"),
    ("How long can {s} take to work{p}?", "time-to-benefit"),
    ("What happens if I stop {s}{p}?", "stopping"),
    ("Can {s} interact with other medicines{p}?", "drug-interactions"),
    ("What is recovery like after {s}{p}?", "recovery"),
    ("Who is a good candidate for {s}{p}?", "eligibility"),
    ("Should I change my diet during {s}{p}?", "diet"),
    ("Can I exercise during {s}{p}?", "exercise"),
    ("Can {s} affect fertility{p}?", "fertility"),
    ("How often is follow-up needed after {s}{p}?", "follow-up"),
    ("What should I ask before starting {s}{p}?", "questions-before-starting"),
    ("Can {s} be combined with other treatments{p}?", "combination"),
    ("How is the dose of {s} decided{p}?", "dosing"),
    ("What are the warning signs of a problem with {s}{p}?", "warning-signs"),
    ("Can {s} affect mood{p}?", "mood-effects"),
    ("What are the benefits and harms of {s}{p}?", "benefits-and-harms"),
    ("Can I keep working during {s}{p}?", "working"),
    ("Can I travel during {s}{p}?", "travel"),
    ("How do doctors monitor {s}{p}?", "monitoring"),
    ("Are there new developments in {s}{p}?", "new-developments"),
    ("How can {s} affect quality of life{p}?", "quality-of-life"),
)

SUMMARY_SENTENCES: tuple[str, ...] = (
    "{S} can be one of the options doctors consider when {o} needs to improve",
    "Research suggests that {s} can help many people, but the benefit depends on the person",
    "Most people who use {s} have mild side effects that settle within a few weeks",
    "The evidence on {s}{p} is still growing, so advice may change as new studies report",
    "Talking with your care team about your goals helps decide whether to use {s}",
    "Studies suggest that {s} can work best as part of a wider care plan rather than alone",
    "Thousands of people have taken part in studies of {s}, and serious harms are uncommon",
    "Some questions about {s}{p} remain open, especially about effects after many years",
    "Doctors usually weigh the likely effect on {o} against the burden of treatment",
    "For most people the decision about {s} is a shared one between patient and clinician",
    "How much {s} can help depends on age, other conditions and the medicines you already take",
    "Guidelines describe {s} as reasonable for many patients, with regular check-ups",
)

RESEARCH_SENTENCES: tuple[str, ...] = (
    "A randomized trial of {n} patients found that {s} improved {o} compared with usual care",
    "A systematic review of {k} studies concluded that {s} can have a modest but real effect "
    "on {o}",
    "Side effects were usually mild, and about {few} in 100 people stopped {s} because of them",
    "Researchers followed {n} people for {y} years and saw no rise in serious harms with {s}",
    "The evidence is weaker for some groups, because few trials included them",
    "Studies that compared {s} with {alt} found similar results for {o}",
    "One explanation is that {s} may act on {m}, which also affects {o}",
    "In a study from {country}, people using {s} reported better {o2} after {w} weeks",
    "A large registry of {n} patients showed that the benefit of {s} lasted for at least {y} years",
    "Not every study agrees, and two smaller trials found no clear change in {o}",
    "The size of the effect was larger in people who started {s} early",
    "A pooled analysis of {k} trials estimated that {s} can lower the risk of poor {o2} by about "
    "{pct} percent",
    "Experts caution that many of these studies were short and funded by manufacturers",
    "Laboratory work suggests that {s} may change {m}, but this has not been confirmed in people",
    "Patients in the trials were on average {age} years old, which limits what we know about "
    "other ages",
    "After adding {s} to standard care, {o} improved in roughly {pct} percent of participants",
    "A cohort study of {n} adults linked {s} with fewer problems with {o}",
    "The most common side effects reported were tiredness, headache and stomach upset",
    "Researchers are now testing whether lower doses of {s} keep the benefit with fewer side "
    "effects",
    "Guideline panels rated this evidence as {grade} because of differences between studies",
    "In a trial across {k} hospitals, {s} reduced {o} over {w} weeks of treatment",
    "People with other long-term conditions were often excluded, so results may not apply to them",
    "Follow-up studies found that people who kept using {s} for {y} years did better on {o2}",
    "A review of {k} studies found that results were similar in women and men",
    "Trials that measured {o2} as well as {o} found that the two moved together",
    "In people who already had problems with {o}, the benefit of {s} appeared larger",
    "Results from {country} and {country2} were broadly similar, which makes chance less likely",
    "Some of the early promise of {s} was not confirmed when larger trials were done",
)

DOCTOR_QUESTIONS: tuple[str, ...] = (
    "Would {s} be a good option for me?",
    "What side effects should I watch for with {s}?",
    "How will we know if I am benefiting from {s}?",
    "Are there alternatives to {s} that suit my situation?",
    "How long would I need to continue {s}?",
    "Could {s} interact with the medicines I already take?",
    "Are there clinical trials of {s} that I could join?",
    "What happens if I decide not to start {s}?",
    "How often will I need check-ups while using {s}?",
    "Does my age or health history change the benefits of {s}?",
    "Who should I call if I have a problem with {s}?",
    "Will {s} affect my work, travel or daily routine?",
    "What does the latest research on {s} mean for me?",
    "Is there anything I can do to make {s} work better?",
)

REFERENCE_TITLES: tuple[str, ...] = (
    "Efficacy and safety of {s}: a randomized controlled trial",
    "{S} and {o}: a systematic review and meta-analysis",
    "Long-term outcomes of {s} in a population-based cohort",
    "Adverse events associated with {s}: pooled analysis of clinical trials",
    "Patient-reported outcomes after {s}",
    "{S} versus standard care for {o}",
    "Mechanisms linking {m} and {o}",
    "Real-world effectiveness of {s} in routine practice",
    "Cost-effectiveness of {s}: an economic evaluation",
    "Clinical practice guideline on {s}",
)

JOURNALS: tuple[str, ...] = (
    "The Lancet", "The New England Journal of Medicine", "JAMA", "BMJ",
    "Annals of Internal Medicine", "Nature Medicine", "Cochrane Database of Systematic Reviews",
    "PLOS Medicine", "JAMA Internal Medicine", "The Lancet Oncology",
    "Journal of Clinical Oncology",
    "Circulation", "European Heart Journal", "Diabetes Care", "The Lancet Diabetes & Endocrinology",
    "Neurology", "Brain", "Journal of Allergy and Clinical Immunology",
    "Clinical Infectious Diseases",
    "The Lancet Infectious Diseases", "JAMA Psychiatry", "American Journal of Psychiatry",
    "Pediatrics", "JAMA Pediatrics", "Nature Reviews Clinical Oncology", "BMC Medicine",
)

COUNTRIES: tuple[str, ...] = (
    "Denmark", "Canada", "Japan", "Brazil", "the United Kingdom", "Australia", "Sweden",
    "South Korea", "the Netherlands", "Spain", "Kenya", "New Zealand", "Finland", "Chile",
)

GRADES: tuple[str, ...] = ("moderate", "low", "high", "very low")

FIRST_NAMES: tuple[str, ...] = (
    "Amara", "Ben", "Chen", "Dana", "Elif", "Farah", "Gabriel", "Hana", "Ivan", "Jane",
    "Kofi", "Lena", "Mateo", "Nadia", "Omar", "Priya", "Quinn", "Rosa", "Sam", "Tomas",
    "Uma", "Victor", "Wen", "Yusuf", "Zoe", "Aisha", "Bruno", "Clara", "David", "Ines",
)
LAST_NAMES: tuple[str, ...] = (
    "Doe", "Okafor", "Lindqvist", "Tanaka", "Moreau", "Silva", "Kowalski", "Haddad",
    "O'Brien", "Nguyen", "Fischer", "Rossi", "Mensah", "Petrov", "Garcia", "Khan",
    "Novak", "Larsen", "Adeyemi", "Schmidt", "Kim", "Dubois", "Costa", "Ivanova",
)
REVIEWER_DEGREES: tuple[str, ...] = ("MD", "MD, PhD", "MBBS", "DO", "PhD", "RN, MSc", "MBChB")

EDITORS: tuple[tuple[str, str], ...] = (
    ("Sam Writer", "sam.writer@example.org"),
    ("Priya Khan", "priya.khan@example.org"),
    ("Tomas Novak", "tomas.novak@example.org"),
    ("Editorial Bot", "editorial-bot@example.org"),
)

FOOTER = (
    "This question is drawn from common patient questions about {topic} and answered using "
    "cited medical research. We do not provide individualized advice."
)
