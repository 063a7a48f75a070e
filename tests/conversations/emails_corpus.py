"""Realistic debriefs, as people type them in the car park, for the rules every email must keep."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from conversations.i18n import Language

__all__ = ["CORPUS", "PRIVATE_KEYS", "TODAY", "Debrief"]

# A Wednesday. Interviews took place today or yesterday unless a debrief says otherwise.
TODAY = date(2026, 12, 2)

# What the candidate writes for themselves: never in an email, not even one sentence of it.
PRIVATE_KEYS = (
    "company_info",
    "atmosphere",
    "working_conditions",
    "commute",
    "position_info",
    "impressions",
    "how_it_went",
    "obstacles",
    "counter_arguments",
    "awkward_questions",
    "blunders",
    "best_arguments",
    "improve",
    "convinced",
    "not_convinced",
    "next_steps",
)


@dataclass(frozen=True, slots=True)
class Debrief:
    """One debrief of the corpus: its name, the user's language and the answers as stored."""

    name: str
    language: Language
    answers: dict[str, str]


CORPUS: tuple[Debrief, ...] = (
    # The full French debrief quoted in issue 11 (stored before the email questions existed:
    # migration 9 made its two names, role and address one line).
    Debrief(
        "issue-pm-paie-before-upgrade",
        "fr",
        {
            "company": "Payfit",
            "position": "Product Manager paie",
            "interview_date": "2026-12-02",
            "interviewers": "Claire Martin et Julien Roche, DRH et CTO, claire.martin@payfit.fr",
            "interviewer_decides": "yes",
            "company_info": "Éditeur SaaS RH, environ 300 personnes, levée de 40 M€ l'an dernier."
            " Ils veulent doubler l'équipe produit.",
            "atmosphere": "Open space calme, les gens se tutoient, ambiance sympa.",
            "position_info": "reprendre le produit paie : une squad de 6 devs, un designer,"
            " roadmap à refaire",
            "impressions": "Très bon feeling avec Claire, Julien plus froid.",
            "rating": "4",
            "how_it_went": "Bien, 1h30, cas pratique sur la priorisation.",
            "obstacles": "Je n'ai jamais fait de paie, Julien l'a relevé deux fois.",
            "counter_arguments": "La paie c'est plein de règles métier complexes, mais j'ai déjà"
            " géré la TVA multi-pays chez Cdiscount.",
            "awkward_questions": "Pourquoi être resté si peu chez Cdiscount ?",
            "forgotten_questions": "Comment est organisée la squad ?\n"
            "Quel est le budget formation ?",
            "blunders": "J'ai coupé la parole à Julien.",
            "best_arguments": "Ma refonte du tunnel de commande chez Cdiscount : +12 % de"
            " conversion.",
            "improve": "Préparer un exemple chiffré sur la paie.",
            "convinced": "Claire, grâce au cas pratique.",
            "not_convinced": "Julien, sur la paie.",
            "next_steps": "Réponse d'ici vendredi, puis un entretien avec le CEO.",
        },
    ),
    # The same debrief answered with the email questions.
    Debrief(
        "issue-pm-paie",
        "fr",
        {
            "company": "Payfit",
            "position": "Product Manager paie",
            "interview_date": "2026-12-02",
            "interviewers": "Mme Claire Martin, DRH, claire.martin@payfit.fr\n"
            "M. Julien Roche, CTO, julien.roche@payfit.fr",
            "interviewer_decides": "yes",
            "company_info": "Éditeur SaaS RH, environ 300 personnes, levée de 40 M€ l'an dernier.",
            "position_info": "reprendre le produit paie : une squad de 6 devs, un designer",
            "impressions": "Il m'a dit « c'est exactement notre problème » quand j'ai parlé du"
            " tunnel.",
            "obstacles": "Je n'ai jamais fait de paie.",
            "counter_arguments": "La paie c'est plein de règles métier complexes, mais bon.",
            "forgotten_questions": "Comment est organisée la squad ?\n"
            "Quel est le budget formation ?",
            "blunders": "J'ai coupé la parole à Julien.",
            "next_steps": "Réponse d'ici vendredi.",
            "email_moment": "la refonte de votre roadmap paie et la place des utilisateurs"
            " dans vos arbitrages",
            "email_strength": "ma refonte du tunnel de commande chez Cdiscount, qui a fait"
            " gagner 12 % de conversion",
            "email_reassurance": "je me forme à la paie depuis un mois et j'en maîtrise déjà"
            " les bases.",
        },
    ),
    # The gossipy debrief of issue 11: "M. Durand", a position and a company with a vowel.
    Debrief(
        "issue-assistante-gossip",
        "fr",
        {
            "company": "Alan",
            "position": "Assistante de direction",
            "interview_date": "2026-12-01",
            "interviewers": "M. Durand, directeur général",
            "atmosphere": "Tendue. Il a engueulé une secrétaire devant moi, franchement limite.",
            "impressions": "Je ne sais pas si j'ai envie d'y aller. Le bureau est sinistre.",
            "obstacles": "Il trouve que je n'ai pas assez d'expérience en anglais.",
            "counter_arguments": "J'ai fait six mois à Londres, il ne l'a pas lu.",
            "blunders": "J'ai dit que mon ancien patron était désorganisé.",
            "next_steps": "Il rappelle d'ici une semaine.",
            "email_moment": "l'organisation de votre agenda entre Paris et Lyon",
            "email_strength": "mes six mois d'assistanat à Londres, en anglais au quotidien",
        },
    ),
    Debrief(
        "hurried-fr-first-name",
        "fr",
        {
            "company": "Doctolib",
            "interviewers": "Claire",
            "rating": "3",
            "how_it_went": "bof",
        },
    ),
    Debrief("company-only-fr", "fr", {"company": "Hermès"}),
    Debrief("company-only-en", "en", {"company": "Acme"}),
    Debrief(
        "hurried-en-mr-dot",
        "en",
        {
            "company": "Globex",
            "position": "Data analyst",
            "interview_date": "2026-12-01",
            "interviewers": "Mr. Smith",
            "next_steps": "they'll get back to me by Friday",
            "forgotten_questions": "salary range?",
        },
    ),
    Debrief(
        "detailed-en-two-people",
        "en",
        {
            "company": "Initech",
            "position": "Engineering Manager",
            "interview_date": "2026-12-02",
            "interviewers": "Ms Joanna Lumbergh, VP Engineering, joanna@initech.example\n"
            "Dr Peter Gibbons, Staff engineer, peter@initech.example",
            "interviewer_decides": "yes",
            "company_info": "Series B, 120 people, moving to a platform model next year.",
            "atmosphere": "Friendly but everyone looked exhausted.",
            "working_conditions": "Lots of overtime before releases, they admitted it.",
            "position_info": "Two teams of five, one of them without a lead for six months.",
            "obstacles": "I have never managed managers.",
            "counter_arguments": "I coached two seniors into lead roles at my last job.",
            "awkward_questions": "Why are you leaving after only a year?",
            "forgotten_questions": "How are promotions decided?\nWhat is the on-call rotation?\n"
            "When would I start?\nIs there a training budget?",
            "blunders": "I said I hate Jira.",
            "best_arguments": "My story about rebuilding a team after a layoff.",
            "not_convinced": "Peter, who wanted more hands-on coding.",
            "next_steps": "Decision within two weeks.",
            "email_moment": "how you plan to bring the two teams onto one platform",
            "email_strength": "the two engineers I coached into lead roles last year",
            "email_reassurance": "I still review code every week and enjoy pairing with my team.",
        },
    ),
    Debrief(
        "negative-en-no-name",
        "en",
        {
            "company": "Umbrella Health",
            "position": "Office manager",
            "interview_date": "2026-11-27",
            "atmosphere": "Awful. The manager shouted at an intern in front of me.",
            "impressions": "I don't think I want this job. The office smelled of bleach.",
            "how_it_went": "Badly, they were forty minutes late.",
            "blunders": "I rolled my eyes when they mentioned the dress code.",
            "next_steps": "No idea.",
        },
    ),
    Debrief(
        "mme-vowel-position-fr",
        "fr",
        {
            "company": "Orange",
            "position": "ingénieure réseau",
            "interview_date": "2026-12-02",
            "interviewers": "Mme LEFEBVRE, responsable d'équipe, s.lefebvre@orange.example",
            "next_steps": "réponse sous 10 jours",
            "email_moment": "Votre projet de migration vers la fibre m'a beaucoup intéressée,"
            " en particulier la question de la supervision.",
            "email_strength": "Je pilote depuis trois ans la supervision d'un réseau de 400 sites.",
        },
    ),
    Debrief(
        "mute-h-fr",
        "fr",
        {
            "company": "Hachette",
            "position": "Éditrice junior",
            "interview_date": "2026-12-01",
            "interviewers": "Hélène Aubert, directrice éditoriale, helene.aubert@hachette.example",
            "next_steps": "Ils me rappellent demain",
            "forgotten_questions": "Quelle est la ligne éditoriale de la collection ?",
            "email_moment": "la collection jeunesse que vous lancez au printemps",
        },
    ),
    Debrief(
        "hospital-fr-dr",
        "fr",
        {
            "company": "Hôpital Saint-Louis",
            "position": "Attachée de recherche clinique",
            "interview_date": "2026-11-30",
            "interviewers": "Dr Anne Petit, cheffe de service\nPr Marc Olivier",
            "how_it_went": "Long, trois heures, épuisant.",
            "obstacles": "Pas de thèse.",
            "email_reassurance": "Mon master en épidémiologie m'a formée aux essais de phase III.",
            "next_steps": "Décision fin décembre",
        },
    ),
    Debrief(
        "mlle-fr",
        "fr",
        {
            "company": "Sephora",
            "position": "Responsable de boutique",
            "interview_date": "2026-12-02",
            "interviewers": "Mlle Dupont, RH, dupont@sephora.example",
            "email_strength": "l'ouverture de deux boutiques à Lille en 2024",
        },
    ),
    Debrief(
        "long-notes-fr",
        "fr",
        {
            "company": "Leroy Merlin",
            "position": "Chef de projet e-commerce",
            "interview_date": "2026-12-02",
            "interviewers": "Sophie Bernard, Head of digital, sophie.bernard@lm.example",
            "company_info": "Ils refont tout le site. " * 80,
            "atmosphere": "Très bonne. " * 100,
            "how_it_went": "Bien. " * 150,
            "forgotten_questions": "Quel est le calendrier de la refonte ?\n"
            + "Et " * 200
            + "?\nComment l'équipe est-elle organisée ?",
            "next_steps": "Retour dans la semaine.",
            "email_moment": "votre refonte du parcours de commande " * 40,
            "email_strength": "mes cinq ans chez Darty à piloter le site marchand",
            "email_reassurance": "Je connais bien les enjeux du bricolage. " * 30,
        },
    ),
    Debrief(
        "long-notes-en",
        "en",
        {
            "company": "Hooli",
            "position": "Product designer",
            "interview_date": "2026-12-01",
            "interviewers": "Gavin, CEO",
            "impressions": "Weird vibes, everyone talks about the CEO like a god. " * 60,
            "forgotten_questions": "\n".join(f"What about topic number {n}?" for n in range(1, 9)),
            "email_moment": "the redesign of your onboarding, " * 50,
            "email_strength": "I ran the design system of a 200-person product team for three"
            " years, and I would love to do the same for Hooli's apps.",
            "next_steps": "Final round next week.",
        },
    ),
    Debrief(
        "first-names-en",
        "en",
        {
            "company": "Stark Lab",
            "position": "Lab technician",
            "interview_date": "2026-12-02",
            "interviewers": "Tony, tony@stark.example\nPepper, pepper@stark.example",
            "email_moment": "the new materials lab you are building",
            "next_steps": "They will call me by Monday.",
        },
    ),
    Debrief(
        "mrs-en-uppercase",
        "en",
        {
            "company": "ACME corp",
            "position": "Accountant",
            "interview_date": "2026-11-20",
            "interviewers": "MRS JONES, Finance director, JONES@ACME.EXAMPLE",
            "forgotten_questions": "do you use SAP\nhow big is the team",
            "email_strength": "ten years of month-end closing under tight deadlines",
        },
    ),
    Debrief(
        "two-people-one-line-en-before-upgrade",
        "en",
        {
            "company": "Wayne Enterprises",
            "position": "Security analyst",
            "interview_date": "2026-12-01",
            "interviewers": "Bruce Wayne and Lucius Fox, CEO, lucius@wayne.example",
            "best_arguments": "My SOC experience.",
            "next_steps": "Answer by 10 December.",
        },
    ),
    Debrief(
        "no-name-email-only-fr",
        "fr",
        {
            "company": "Engie",
            "position": "Analyste achats",
            "interview_date": "2026-12-02",
            "interviewers": "recrutement@engie.example",
            "forgotten_questions": "télétravail possible ?",
            "next_steps": "On me dira",
        },
    ),
    Debrief(
        "gossip-fr-first-name-vowel",
        "fr",
        {
            "company": "Ubisoft",
            "position": "Animatrice 3D",
            "interview_date": "2026-12-01",
            "interviewers": "Inès, lead animation, ines@ubisoft.example",
            "atmosphere": "Ils se plaignent tous du crunch. Inès m'a dit que son N+1 est toxique.",
            "impressions": "Je ne suis pas sûre. Le studio est magnifique mais ça crie.",
            "obstacles": "Je n'ai pas fait de jeu vidéo.",
            "email_moment": "les animations faciales de votre prochain jeu",
            "email_strength": "mes trois courts métrages d'animation, primés à Annecy",
            "email_reassurance": "L'animation de personnages reste le cœur de mon travail,"
            " quel que soit le support.",
            "next_steps": "Test technique envoyé jeudi.",
        },
    ),
    Debrief(
        "english-sentence-answers",
        "en",
        {
            "company": "Monzo",
            "position": "Backend engineer",
            "interview_date": "2026-12-02",
            "interviewers": "Ms Priya Shah, Engineering manager, priya@monzo.example",
            "email_moment": "I loved hearing how your team ships small changes every day.",
            "email_strength": "I have built payment APIs in Go for four years.",
            "email_reassurance": "I have started Kafka training and will finish it this month.",
            "forgotten_questions": "How do you handle incidents?\nWhat does a typical week look"
            " like?",
            "next_steps": "Answer by Friday.",
        },
    ),
    Debrief(
        "french-fragments-capitalised",
        "fr",
        {
            "company": "Airbus",
            "position": "Ingénieur qualité",
            "interview_date": "2026-12-01",
            "interviewers": "Monsieur Olivier Martin, responsable qualité, o.martin@airbus.example",
            "email_moment": "La certification de la nouvelle chaîne d'assemblage",
            "email_strength": "Mon expérience des audits EN 9100 chez Safran",
            "forgotten_questions": "Y a-t-il des déplacements ?\nest-ce un poste en horaires"
            " décalés",
            "next_steps": "Réponse sous quinze jours",
        },
    ),
)
