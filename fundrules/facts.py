"""The fact vocabulary (documented in docs/facts.md, checked against this table by a test).

The case model, the condition type checker and the explanations all read this table, so a
fact is declared once. Paths are dotted: `date_demande`, `beneficiaire.age`, `projet.duree_heures`.
"""

from __future__ import annotations

from dataclasses import dataclass

DATE, INT, NUMBER, BOOL, STRING = "date", "int", "number", "bool", "string"


@dataclass(frozen=True)
class Fact:
    path: str
    kind: str  # DATE, INT, NUMBER, BOOL, STRING, or "enum"
    label: str  # French, as a counsellor reads it
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None

    @property
    def section(self) -> str:
        return self.path.split(".")[0] if "." in self.path else ""

    @property
    def name(self) -> str:
        return self.path.rsplit(".", 1)[-1]

    @property
    def value_type(self) -> str:
        """Type seen by conditions: enums are strings, ints are numbers."""
        if self.kind == "enum":
            return STRING
        if self.kind == INT:
            return NUMBER
        return self.kind


# Every number fact has a maximum (in docs/facts.md and the JSON Schema; a case beyond it is refused
# with the field's path, exit 2 or HTTP 422). These are bounds of input, not thresholds of law: far
# beyond any real value (a working life, the hours a period holds, ten years of training), they
# keep every computation the engine makes with a fact inside what a date or a float can hold
# (`projet.date_debut` + `projet.duree_mois` months stays before 2111).
MONTHS_OF_A_LIFE = 1_200  # 100 years, in months
MAX_COURSE_MONTHS = 120  # ten years of training
MAX_EUROS = 10_000_000  # any amount, salary or cost in euros


def hours_in_months(months: int) -> int:
    """Hours that `months` months can hold at most (31 days of 24 hours each)."""
    return months * 31 * 24


def _enum(path: str, label: str, *choices: str) -> Fact:
    return Fact(path, "enum", label, choices=choices)


OPERATORS = ("mission_locale", "apec", "cap_emploi", "pole_emploi", "fongecif", "opacif", "autre")

FACTS: dict[str, Fact] = {
    f.path: f
    for f in [
        Fact("date_demande", DATE, "date de la demande de financement"),
        _enum("operateur", "opérateur CEP qui accompagne la personne", *OPERATORS),
        Fact("region", STRING, "région de la formation (code INSEE)"),
        # beneficiaire
        Fact("beneficiaire.date_naissance", DATE, "date de naissance"),
        Fact("beneficiaire.age", INT, "âge à la date de la demande", minimum=0, maximum=130),
        _enum(
            "beneficiaire.statut",
            "situation à la date de la demande",
            "demandeur_emploi",
            "salarie",
            "independant",
            "agent_public",
            "sans_activite",
        ),
        Fact("beneficiaire.inscrit_pole_emploi", BOOL, "inscrit comme demandeur d'emploi"),
        Fact(
            "beneficiaire.duree_inscription_mois",
            INT,
            "mois d'inscription comme demandeur d'emploi (Pôle emploi, France Travail depuis 2024)",
            minimum=0,
            maximum=MONTHS_OF_A_LIFE,
        ),
        _enum(
            "beneficiaire.contrat",
            "contrat actuel (ou dernier contrat)",
            "cdi",
            "cdd",
            "interim",
            "apprentissage",
            "professionnalisation",
            "contrat_aide",
            "aucun",
        ),
        Fact("beneficiaire.date_fin_contrat", DATE, "date de fin du dernier contrat"),
        Fact(
            "beneficiaire.anciennete_salariee_mois",
            INT,
            "ancienneté salariée (mois, tous employeurs)",
            minimum=0,
            maximum=MONTHS_OF_A_LIFE,
        ),
        Fact(
            "beneficiaire.anciennete_entreprise_mois",
            INT,
            "ancienneté dans l'entreprise (mois)",
            minimum=0,
            maximum=MONTHS_OF_A_LIFE,
        ),
        Fact("beneficiaire.mois_salarie_5_ans", INT, "mois salariés sur les 5 dernières années", minimum=0, maximum=60),
        Fact("beneficiaire.mois_cdd_12_mois", INT, "mois en CDD sur les 12 derniers mois", minimum=0, maximum=12),
        Fact(
            "beneficiaire.heures_interim_18_mois",
            INT,
            "heures d'intérim sur les 18 derniers mois",
            minimum=0,
            maximum=hours_in_months(18),
        ),
        Fact(
            "beneficiaire.heures_interim_agence",
            INT,
            "heures dans l'agence d'intérim actuelle",
            minimum=0,
            maximum=hours_in_months(MONTHS_OF_A_LIFE),
        ),
        Fact("beneficiaire.effectif_entreprise", INT, "effectif de l'employeur", minimum=0, maximum=10_000_000),
        Fact("beneficiaire.entreprise_artisanale", BOOL, "employeur relevant de l'artisanat"),
        Fact(
            "beneficiaire.niveau_qualification",
            INT,
            "niveau de qualification le plus élevé (1 à 8)",
            minimum=1,
            maximum=8,
        ),
        Fact("beneficiaire.boeth", BOOL, "bénéficiaire de l'obligation d'emploi (BOETH)"),
        Fact("beneficiaire.solde_cpf_heures", NUMBER, "solde CPF en heures", minimum=0, maximum=10_000),
        Fact("beneficiaire.solde_cpf_euros", NUMBER, "solde CPF en euros", minimum=0, maximum=MAX_EUROS),
        Fact(
            "beneficiaire.bilan_competences_5_ans",
            BOOL,
            "a eu un bilan de compétences financé par un financeur (fonds publics ou mutualisés) dans les 5 ans",
        ),
        Fact("beneficiaire.heures_dif", NUMBER, "heures de DIF inscrites", minimum=0, maximum=10_000),
        Fact("beneficiaire.licenciement_economique", BOOL, "licencié pour motif économique"),
        Fact("beneficiaire.licenciement_inaptitude", BOOL, "licencié pour inaptitude"),
        Fact("beneficiaire.secteur_public", BOOL, "employeur public"),
        _enum(
            "beneficiaire.modalite_accompagnement_pe",
            "modalité d'accompagnement Pôle emploi / France Travail",
            "suivi",
            "guide",
            "renforce",
            "global",
        ),
        Fact("beneficiaire.arret_maladie", BOOL, "en arrêt maladie à la date de la demande"),
        Fact("beneficiaire.promesse_embauche", BOOL, "promesse d'embauche écrite"),
        # added for dated rules: CPF driving licences from 2024-05-19, and the
        # CPF de transition seniority waivers from 2022-03-31
        Fact("beneficiaire.permis_valide", BOOL, "titulaire d'un permis de conduire en cours de validité"),
        # D6323-9 I (décret 2022-373): both absences are counted in the 24 months before the request
        Fact(
            "beneficiaire.maladie_professionnelle",
            BOOL,
            "absence au travail due à une maladie professionnelle dans les 24 mois précédant la demande",
        ),
        Fact(
            "beneficiaire.absence_longue_24_mois",
            BOOL,
            "absence d'au moins 6 mois, consécutifs ou non (accident du travail, maladie ou accident non "
            "professionnel), dans les 24 mois précédant la demande",
        ),
        # added for the employer's plan, OPCA/OPCO, pre-hire training and VAE funders (issue 15)
        Fact("beneficiaire.idcc", STRING, "convention collective de l'employeur (code IDCC)"),
        Fact("beneficiaire.opco", STRING, "OPCA (OPCO depuis le 01/04/2019) de l'employeur"),
        Fact("beneficiaire.accord_employeur", BOOL, "accord de l'employeur pour la formation (ou l'avenant)"),
        Fact("beneficiaire.entreprise_adaptee", BOOL, "travailleur handicapé salarié d'une entreprise adaptée"),
        Fact(
            "beneficiaire.experience_mois_certification",
            INT,
            "mois d'activité en rapport direct avec la certification visée (VAE)",
            minimum=0,
            maximum=MONTHS_OF_A_LIFE,
        ),
        # projet
        Fact("projet.intitule", STRING, "intitulé de la formation"),
        _enum(
            "projet.type_action",
            "nature de l'action",
            "certification_rncp",
            "certification_rs",
            "clea",
            "vae",
            "bilan_competences",
            "permis",
            "creation_entreprise",
            "non_certifiante",
        ),
        Fact("projet.code_certification", STRING, "code RNCP ou RS"),
        Fact("projet.eligible_cpf", BOOL, "inscrite sur une liste éligible au CPF"),
        Fact("projet.categorie_permis", STRING, "catégorie de permis"),
        # added for the CPF rule of the loi de finances pour 2026 (light-vehicle licences)
        Fact(
            "projet.abondement_tiers",
            BOOL,
            "cofinancement de la formation par un tiers (employeur, OPCO, État, Région, France Travail…)",
        ),
        Fact(
            "projet.duree_heures",
            NUMBER,
            "durée de la formation (heures)",
            minimum=0,
            maximum=hours_in_months(MAX_COURSE_MONTHS),
        ),
        Fact("projet.duree_mois", NUMBER, "durée de la formation (mois)", minimum=0, maximum=MAX_COURSE_MONTHS),
        Fact("projet.temps_plein", BOOL, "formation à temps plein"),
        Fact("projet.date_debut", DATE, "date de début prévue"),
        Fact("projet.cout_pedagogique", NUMBER, "coût pédagogique (euros)", minimum=0, maximum=MAX_EUROS),
        Fact("projet.hors_temps_travail", BOOL, "entièrement hors temps de travail"),
        Fact("projet.metier_en_tension", BOOL, "métier en tension dans la région"),
        Fact("projet.session_achetee_region", BOOL, "session achetée par la Région"),
        Fact("projet.places_disponibles", BOOL, "places disponibles dans la session"),
        Fact("projet.positionnement_prealable", BOOL, "positionnement préalable réalisé"),
        Fact("projet.valide_conseiller_pe", BOOL, "projet validé par le conseiller Pôle emploi / France Travail"),
        # added for the employer's plan, OPCA/OPCO, pre-hire training and VAE funders (issue 15)
        Fact(
            "projet.certification_liste_pro_a",
            BOOL,
            "certification inscrite sur la liste de l'accord de branche étendu (Pro-A)",
        ),
        Fact("projet.date_avenant", DATE, "date de l'avenant Pro-A (ou de l'accord de période de reconversion)"),
        _enum("projet.type_reconversion", "période de reconversion interne ou externe", "interne", "externe"),
        Fact(
            "projet.offre_deposee_france_travail",
            BOOL,
            "offre d'emploi de l'employeur déposée à Pôle emploi (France Travail depuis 2024)",
        ),
        _enum(
            "projet.contrat_vise",
            "contrat promis à l'issue de la formation préalable à l'embauche",
            "cdi",
            "cdii",
            "cdd",
            "professionnalisation",
            "apprentissage",
            "saisonnier",
            "interim",
        ),
        Fact(
            "projet.duree_contrat_vise_mois",
            NUMBER,
            "durée du contrat promis (mois)",
            minimum=0,
            maximum=MONTHS_OF_A_LIFE,
        ),
        Fact("projet.action_poec", BOOL, "session de POEC lancée par un OPCA / OPCO"),
        Fact("projet.recevabilite_vae", BOOL, "demande de VAE déclarée recevable"),
        Fact("projet.certification_sur_france_vae", BOOL, "certification visée proposée sur le portail France VAE"),
        Fact("projet.inscription_france_vae", BOOL, "personne inscrite sur le portail France VAE pour cette VAE"),
        # income during training (issue 14): pay during the course, démission-reconversion, CSP,
        # young people's schemes (more-funders brief, "New facts"; `projet.date_fin` added for the chains)
        Fact("beneficiaire.date_demission", DATE, "date de remise de la démission"),
        _enum(
            "beneficiaire.rupture_contrat",
            "mode de rupture du dernier contrat",
            "demission",
            "licenciement_economique",
            "licenciement_inaptitude",
            "licenciement_autre",
            "rupture_conventionnelle",
            "fin_cdd",
            "fin_mission",
            "rupture_periode_essai",
            "aucune",
        ),
        Fact(
            "beneficiaire.jours_travailles_60_mois",
            INT,
            "jours travaillés sur les 60 derniers mois",
            minimum=0,
            maximum=1830,
        ),
        Fact(
            "beneficiaire.employeur_auto_assurance",
            BOOL,
            "employé surtout par un employeur public en auto-assurance (24 derniers mois, 36 à 53 ans et plus)",
        ),
        Fact("beneficiaire.date_demande_cep", DATE, "date de la demande de conseil en évolution professionnelle"),
        _enum(
            "beneficiaire.operateur_cep",
            "opérateur qui a délivré le CEP",
            "apec",
            "cap_emploi",
            "cep_actifs_occupes",
            "mission_locale",
            "france_travail",
            "fongecif",
            "autre",
        ),
        _enum(
            "beneficiaire.attestation_projet_reconversion",
            "attestation du caractère réel et sérieux du projet (Transitions Pro)",
            "obtenue",
            "refusee",
            "en_cours",
            "non_demandee",
        ),
        Fact("beneficiaire.date_attestation_projet", DATE, "date de notification de l'attestation de Transitions Pro"),
        Fact("beneficiaire.date_inscription_pe", DATE, "date d'inscription à Pôle emploi / France Travail"),
        _enum(
            "beneficiaire.allocation_chomage",
            "allocation chômage perçue la veille de la formation",
            "are",
            "asp",
            "ati",
            "aucune",
        ),
        Fact("beneficiaire.date_fin_droits_are", DATE, "date de fin des droits ARE / ASP"),
        Fact(
            "beneficiaire.residence_outre_mer",
            BOOL,
            "réside dans un département, une région ou une collectivité d'outre-mer (complément de fin de formation)",
        ),
        Fact(
            "beneficiaire.are_journaliere",
            NUMBER,
            "montant journalier brut de l'ARE (euros)",
            minimum=0,
            maximum=10_000,
        ),
        Fact(
            "beneficiaire.heures_salariees_12_mois",
            INT,
            "heures salariées sur les 12 derniers mois",
            minimum=0,
            maximum=hours_in_months(12),
        ),
        Fact(
            "beneficiaire.heures_salariees_24_mois",
            INT,
            "heures salariées sur les 24 derniers mois",
            minimum=0,
            maximum=hours_in_months(24),
        ),
        _enum(
            "beneficiaire.situation_familiale",
            "situation familiale (barème des stagiaires)",
            "parent_isole",
            "enceinte",
            "trois_enfants",
            "autre",
        ),
        Fact(
            "beneficiaire.salaire_moyen_reference",
            NUMBER,
            "salaire moyen de référence mensuel brut (euros)",
            minimum=0,
            maximum=MAX_EUROS,
        ),
        Fact(
            "beneficiaire.salaire_journalier_reference",
            NUMBER,
            "salaire journalier de référence (euros)",
            minimum=0,
            maximum=MAX_EUROS,
        ),
        Fact("beneficiaire.adhesion_csp", BOOL, "a adhéré au contrat de sécurisation professionnelle"),
        Fact("beneficiaire.redressement_liquidation", BOOL, "employeur en redressement ou liquidation judiciaire"),
        _enum(
            "beneficiaire.accompagnement_jeune",
            "accompagnement jeune en cours",
            "aucun",
            "pacea",
            "garantie_jeunes",
            "cej",
        ),
        Fact("beneficiaire.rqth", BOOL, "reconnaissance de la qualité de travailleur handicapé (RQTH)"),
        _enum(
            "beneficiaire.foyer_fiscal",
            "foyer fiscal (allocation CEJ)",
            "non_imposable",
            "tranche_1",
            "imposable_au_dela",
        ),
        Fact(
            "beneficiaire.ressources_mensuelles",
            NUMBER,
            "ressources mensuelles propres (euros)",
            minimum=0,
            maximum=MAX_EUROS,
        ),
        Fact("beneficiaire.soutien_financier_parents", BOOL, "soutenu financièrement par ses parents"),
        Fact("projet.date_fin", DATE, "date de fin prévue de la formation"),
        Fact("projet.formation_qualifiante", BOOL, "formation qualifiante (article L6314-1)"),
        _enum(
            "projet.agrement_remuneration",
            "qui a agréé la formation pour la rémunération des stagiaires",
            "france_travail",
            "region",
            "etat",
            "aucun",
        ),
        Fact("projet.formation_sanitaire_sociale", BOOL, "école du sanitaire ou du social (IFSI, etc.)"),
    ]
}

SECTIONS = ("beneficiaire", "projet")


def facts_in(section: str) -> dict[str, Fact]:
    """Facts of one section keyed by their short name ("" for the top level)."""
    return {f.name: f for f in FACTS.values() if f.section == section}
