"""The case model (beneficiary, project, context): GENERATED from fundrules/facts.py by
`python -m fundrules.case_codegen`; do not edit by hand (tests check it matches the fact table).

No `from __future__ import annotations` here: the annotations are built when the classes are, from
the compiled module, instead of each being a string that pydantic compiles and evaluates at import
(about a hundred of them, on every cold start)."""

from typing import Annotated, Literal, Optional

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, StrictInt

from .case_types import DateFact, NumberFact, RegionFact, TextFact, _nfc
from .json_bounds import standard_bounds


class Beneficiaire(BaseModel):
    """La personne."""

    model_config = ConfigDict(extra="forbid", frozen=True, json_schema_extra=standard_bounds, defer_build=True)

    date_naissance: Optional[DateFact] = Field(default=None, description='date de naissance')
    age: Optional[StrictInt] = Field(default=None, description='âge à la date de la demande', ge=0, le=130)
    statut: Optional[Annotated[Literal['demandeur_emploi', 'salarie', 'independant', 'agent_public', 'sans_activite'], BeforeValidator(_nfc)]] = Field(default=None, description='situation à la date de la demande')
    inscrit_pole_emploi: Optional[StrictBool] = Field(default=None, description="inscrit comme demandeur d'emploi")
    duree_inscription_mois: Optional[StrictInt] = Field(default=None, description="mois d'inscription comme demandeur d'emploi (Pôle emploi, France Travail depuis 2024)", ge=0, le=1200)
    contrat: Optional[Annotated[Literal['cdi', 'cdd', 'interim', 'apprentissage', 'professionnalisation', 'contrat_aide', 'aucun'], BeforeValidator(_nfc)]] = Field(default=None, description='contrat actuel (ou dernier contrat)')
    date_fin_contrat: Optional[DateFact] = Field(default=None, description='date de fin du dernier contrat')
    anciennete_salariee_mois: Optional[StrictInt] = Field(default=None, description='ancienneté salariée (mois, tous employeurs)', ge=0, le=1200)
    anciennete_entreprise_mois: Optional[StrictInt] = Field(default=None, description="ancienneté dans l'entreprise (mois)", ge=0, le=1200)
    mois_salarie_5_ans: Optional[StrictInt] = Field(default=None, description='mois salariés sur les 5 dernières années', ge=0, le=60)
    mois_cdd_12_mois: Optional[StrictInt] = Field(default=None, description='mois en CDD sur les 12 derniers mois', ge=0, le=12)
    heures_interim_18_mois: Optional[StrictInt] = Field(default=None, description="heures d'intérim sur les 18 derniers mois", ge=0, le=13392)
    heures_interim_agence: Optional[StrictInt] = Field(default=None, description="heures dans l'agence d'intérim actuelle", ge=0, le=892800)
    effectif_entreprise: Optional[StrictInt] = Field(default=None, description="effectif de l'employeur", ge=0, le=10000000)
    entreprise_artisanale: Optional[StrictBool] = Field(default=None, description="employeur relevant de l'artisanat")
    niveau_qualification: Optional[StrictInt] = Field(default=None, description='niveau de qualification le plus élevé (1 à 8)', ge=1, le=8)
    boeth: Optional[StrictBool] = Field(default=None, description="bénéficiaire de l'obligation d'emploi (BOETH)")
    solde_cpf_heures: Optional[NumberFact] = Field(default=None, description='solde CPF en heures', ge=0, le=10000)
    solde_cpf_euros: Optional[NumberFact] = Field(default=None, description='solde CPF en euros', ge=0, le=10000000)
    bilan_competences_5_ans: Optional[StrictBool] = Field(default=None, description='a eu un bilan de compétences financé par un financeur (fonds publics ou mutualisés) dans les 5 ans')
    heures_dif: Optional[NumberFact] = Field(default=None, description='heures de DIF inscrites', ge=0, le=10000)
    licenciement_economique: Optional[StrictBool] = Field(default=None, description='licencié pour motif économique')
    licenciement_inaptitude: Optional[StrictBool] = Field(default=None, description='licencié pour inaptitude')
    secteur_public: Optional[StrictBool] = Field(default=None, description='employeur public')
    modalite_accompagnement_pe: Optional[Annotated[Literal['suivi', 'guide', 'renforce', 'global'], BeforeValidator(_nfc)]] = Field(default=None, description="modalité d'accompagnement Pôle emploi / France Travail")
    arret_maladie: Optional[StrictBool] = Field(default=None, description='en arrêt maladie à la date de la demande')
    promesse_embauche: Optional[StrictBool] = Field(default=None, description="promesse d'embauche écrite")
    permis_valide: Optional[StrictBool] = Field(default=None, description="titulaire d'un permis de conduire en cours de validité")
    maladie_professionnelle: Optional[StrictBool] = Field(default=None, description='absence au travail due à une maladie professionnelle dans les 24 mois précédant la demande')
    absence_longue_24_mois: Optional[StrictBool] = Field(default=None, description="absence d'au moins 6 mois, consécutifs ou non (accident du travail, maladie ou accident non professionnel), dans les 24 mois précédant la demande")
    idcc: Optional[TextFact] = Field(default=None, description="convention collective de l'employeur (code IDCC)")
    opco: Optional[TextFact] = Field(default=None, description="OPCA (OPCO depuis le 01/04/2019) de l'employeur")
    accord_employeur: Optional[StrictBool] = Field(default=None, description="accord de l'employeur pour la formation (ou l'avenant)")
    entreprise_adaptee: Optional[StrictBool] = Field(default=None, description="travailleur handicapé salarié d'une entreprise adaptée")
    experience_mois_certification: Optional[StrictInt] = Field(default=None, description="mois d'activité en rapport direct avec la certification visée (VAE)", ge=0, le=1200)
    date_demission: Optional[DateFact] = Field(default=None, description='date de remise de la démission')
    rupture_contrat: Optional[Annotated[Literal['demission', 'licenciement_economique', 'licenciement_inaptitude', 'licenciement_autre', 'rupture_conventionnelle', 'fin_cdd', 'fin_mission', 'rupture_periode_essai', 'aucune'], BeforeValidator(_nfc)]] = Field(default=None, description='mode de rupture du dernier contrat')
    jours_travailles_60_mois: Optional[StrictInt] = Field(default=None, description='jours travaillés sur les 60 derniers mois', ge=0, le=1830)
    employeur_auto_assurance: Optional[StrictBool] = Field(default=None, description='employé surtout par un employeur public en auto-assurance (24 derniers mois, 36 à 53 ans et plus)')
    date_demande_cep: Optional[DateFact] = Field(default=None, description='date de la demande de conseil en évolution professionnelle')
    operateur_cep: Optional[Annotated[Literal['apec', 'cap_emploi', 'cep_actifs_occupes', 'mission_locale', 'france_travail', 'fongecif', 'autre'], BeforeValidator(_nfc)]] = Field(default=None, description='opérateur qui a délivré le CEP')
    attestation_projet_reconversion: Optional[Annotated[Literal['obtenue', 'refusee', 'en_cours', 'non_demandee'], BeforeValidator(_nfc)]] = Field(default=None, description='attestation du caractère réel et sérieux du projet (Transitions Pro)')
    date_attestation_projet: Optional[DateFact] = Field(default=None, description="date de notification de l'attestation de Transitions Pro")
    date_inscription_pe: Optional[DateFact] = Field(default=None, description="date d'inscription à Pôle emploi / France Travail")
    allocation_chomage: Optional[Annotated[Literal['are', 'asp', 'ati', 'aucune'], BeforeValidator(_nfc)]] = Field(default=None, description='allocation chômage perçue la veille de la formation')
    date_fin_droits_are: Optional[DateFact] = Field(default=None, description='date de fin des droits ARE / ASP')
    residence_outre_mer: Optional[StrictBool] = Field(default=None, description="réside dans un département, une région ou une collectivité d'outre-mer (complément de fin de formation)")
    are_journaliere: Optional[NumberFact] = Field(default=None, description="montant journalier brut de l'ARE (euros)", ge=0, le=10000)
    heures_salariees_12_mois: Optional[StrictInt] = Field(default=None, description='heures salariées sur les 12 derniers mois', ge=0, le=8928)
    heures_salariees_24_mois: Optional[StrictInt] = Field(default=None, description='heures salariées sur les 24 derniers mois', ge=0, le=17856)
    situation_familiale: Optional[Annotated[Literal['parent_isole', 'enceinte', 'trois_enfants', 'autre'], BeforeValidator(_nfc)]] = Field(default=None, description='situation familiale (barème des stagiaires)')
    salaire_moyen_reference: Optional[NumberFact] = Field(default=None, description='salaire moyen de référence mensuel brut (euros)', ge=0, le=10000000)
    salaire_journalier_reference: Optional[NumberFact] = Field(default=None, description='salaire journalier de référence (euros)', ge=0, le=10000000)
    adhesion_csp: Optional[StrictBool] = Field(default=None, description='a adhéré au contrat de sécurisation professionnelle')
    redressement_liquidation: Optional[StrictBool] = Field(default=None, description='employeur en redressement ou liquidation judiciaire')
    accompagnement_jeune: Optional[Annotated[Literal['aucun', 'pacea', 'garantie_jeunes', 'cej'], BeforeValidator(_nfc)]] = Field(default=None, description='accompagnement jeune en cours')
    rqth: Optional[StrictBool] = Field(default=None, description='reconnaissance de la qualité de travailleur handicapé (RQTH)')
    foyer_fiscal: Optional[Annotated[Literal['non_imposable', 'tranche_1', 'imposable_au_dela'], BeforeValidator(_nfc)]] = Field(default=None, description='foyer fiscal (allocation CEJ)')
    ressources_mensuelles: Optional[NumberFact] = Field(default=None, description='ressources mensuelles propres (euros)', ge=0, le=10000000)
    soutien_financier_parents: Optional[StrictBool] = Field(default=None, description='soutenu financièrement par ses parents')


class Projet(BaseModel):
    """Le projet de formation."""

    model_config = ConfigDict(extra="forbid", frozen=True, json_schema_extra=standard_bounds, defer_build=True)

    intitule: Optional[TextFact] = Field(default=None, description='intitulé de la formation')
    type_action: Optional[Annotated[Literal['certification_rncp', 'certification_rs', 'clea', 'vae', 'bilan_competences', 'permis', 'creation_entreprise', 'non_certifiante'], BeforeValidator(_nfc)]] = Field(default=None, description="nature de l'action")
    code_certification: Optional[TextFact] = Field(default=None, description='code RNCP ou RS')
    eligible_cpf: Optional[StrictBool] = Field(default=None, description='inscrite sur une liste éligible au CPF')
    categorie_permis: Optional[TextFact] = Field(default=None, description='catégorie de permis')
    abondement_tiers: Optional[StrictBool] = Field(default=None, description='cofinancement de la formation par un tiers (employeur, OPCO, État, Région, France Travail…)')
    duree_heures: Optional[NumberFact] = Field(default=None, description='durée de la formation (heures)', ge=0, le=89280)
    duree_mois: Optional[NumberFact] = Field(default=None, description='durée de la formation (mois)', ge=0, le=120)
    temps_plein: Optional[StrictBool] = Field(default=None, description='formation à temps plein')
    date_debut: Optional[DateFact] = Field(default=None, description='date de début prévue')
    cout_pedagogique: Optional[NumberFact] = Field(default=None, description='coût pédagogique (euros)', ge=0, le=10000000)
    hors_temps_travail: Optional[StrictBool] = Field(default=None, description='entièrement hors temps de travail')
    metier_en_tension: Optional[StrictBool] = Field(default=None, description='métier en tension dans la région')
    session_achetee_region: Optional[StrictBool] = Field(default=None, description='session achetée par la Région')
    places_disponibles: Optional[StrictBool] = Field(default=None, description='places disponibles dans la session')
    positionnement_prealable: Optional[StrictBool] = Field(default=None, description='positionnement préalable réalisé')
    valide_conseiller_pe: Optional[StrictBool] = Field(default=None, description='projet validé par le conseiller Pôle emploi / France Travail')
    certification_liste_pro_a: Optional[StrictBool] = Field(default=None, description="certification inscrite sur la liste de l'accord de branche étendu (Pro-A)")
    date_avenant: Optional[DateFact] = Field(default=None, description="date de l'avenant Pro-A (ou de l'accord de période de reconversion)")
    type_reconversion: Optional[Annotated[Literal['interne', 'externe'], BeforeValidator(_nfc)]] = Field(default=None, description='période de reconversion interne ou externe')
    offre_deposee_france_travail: Optional[StrictBool] = Field(default=None, description="offre d'emploi de l'employeur déposée à Pôle emploi (France Travail depuis 2024)")
    contrat_vise: Optional[Annotated[Literal['cdi', 'cdii', 'cdd', 'professionnalisation', 'apprentissage', 'saisonnier', 'interim'], BeforeValidator(_nfc)]] = Field(default=None, description="contrat promis à l'issue de la formation préalable à l'embauche")
    duree_contrat_vise_mois: Optional[NumberFact] = Field(default=None, description='durée du contrat promis (mois)', ge=0, le=1200)
    action_poec: Optional[StrictBool] = Field(default=None, description='session de POEC lancée par un OPCA / OPCO')
    recevabilite_vae: Optional[StrictBool] = Field(default=None, description='demande de VAE déclarée recevable')
    certification_sur_france_vae: Optional[StrictBool] = Field(default=None, description='certification visée proposée sur le portail France VAE')
    inscription_france_vae: Optional[StrictBool] = Field(default=None, description='personne inscrite sur le portail France VAE pour cette VAE')
    date_fin: Optional[DateFact] = Field(default=None, description='date de fin prévue de la formation')
    formation_qualifiante: Optional[StrictBool] = Field(default=None, description='formation qualifiante (article L6314-1)')
    agrement_remuneration: Optional[Annotated[Literal['france_travail', 'region', 'etat', 'aucun'], BeforeValidator(_nfc)]] = Field(default=None, description='qui a agréé la formation pour la rémunération des stagiaires')
    formation_sanitaire_sociale: Optional[StrictBool] = Field(default=None, description='école du sanitaire ou du social (IFSI, etc.)')


class CaseInput(BaseModel):
    """Un cas : la personne, le projet de formation et le contexte de la demande."""

    model_config = ConfigDict(extra="forbid", frozen=True, json_schema_extra=standard_bounds)

    beneficiaire: Beneficiaire = Field(default_factory=Beneficiaire, description="la personne")
    projet: Projet = Field(default_factory=Projet, description="le projet de formation")
    date_demande: Optional[DateFact] = Field(default=None, description='date de la demande de financement')
    operateur: Optional[Annotated[Literal['mission_locale', 'apec', 'cap_emploi', 'pole_emploi', 'fongecif', 'opacif', 'autre'], BeforeValidator(_nfc)]] = Field(default=None, description='opérateur CEP qui accompagne la personne')
    region: Optional[RegionFact] = Field(default=None, description='région de la formation (code INSEE)')
