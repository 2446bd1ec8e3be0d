"""The question a counsellor asks for each fact of the vocabulary, and the French label of each
allowed value: what the guided intake (fundrules.intake, `fundrules interview`, POST /v1/questions)
shows. Kept beside the fact table (fundrules/facts.py, which gives types and bounds) and keyed by
the same paths; a test checks that every fact a criterion reads, or that selects rules, has one.

Labels of codes already named for reports (statut, contrat, type_action, operateur, modalité) come
from fundrules.french, so a value reads the same in a question and in an answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Optional

from .french import ACTION_FR, CONTRAT_FR, MODALITE_FR, OPERATEUR_FR, STATUT_FR


@dataclass(frozen=True)
class FactQuestion:
    text: str  # the question, in French, as said to the person or read by the counsellor
    labels: Mapping[str, str] = field(default_factory=dict)  # enum code -> French label
    unit: Optional[str] = None  # for numbers: mois, heures, euros…


def _q(text: str, unit: Optional[str] = None, **labels: str) -> FactQuestion:
    return FactQuestion(text, MappingProxyType(dict(labels)), unit)


def _enum(text: str, labels: Mapping[str, str]) -> FactQuestion:
    return FactQuestion(text, MappingProxyType(dict(labels)))


QUESTIONS: Mapping[str, FactQuestion] = MappingProxyType(
    {
        "date_demande": _q("À quelle date la demande de financement est-elle faite ?"),
        "operateur": _enum("Quel opérateur CEP accompagne la personne ?", OPERATEUR_FR),
        "region": _q("Dans quelle région la formation a-t-elle lieu (nom ou code INSEE) ?"),
        # beneficiaire
        "beneficiaire.date_naissance": _q("Quelle est la date de naissance de la personne ?"),
        "beneficiaire.age": _q("Quel âge a la personne à la date de la demande ?", "ans"),
        "beneficiaire.statut": _enum("Quelle est la situation de la personne à la date de la demande ?", STATUT_FR),
        "beneficiaire.inscrit_pole_emploi": _q(
            "La personne est-elle inscrite comme demandeuse d'emploi (Pôle emploi, France Travail depuis 2024) ?"
        ),
        "beneficiaire.duree_inscription_mois": _q("Depuis combien de mois la personne est-elle inscrite ?", "mois"),
        "beneficiaire.contrat": _enum("Quel est son contrat actuel (ou son dernier contrat) ?", CONTRAT_FR),
        "beneficiaire.date_fin_contrat": _q("À quelle date son dernier contrat a-t-il pris fin (ou prend-il fin) ?"),
        "beneficiaire.anciennete_salariee_mois": _q(
            "Combien de mois la personne a-t-elle été salariée, tous employeurs confondus ?", "mois"
        ),
        "beneficiaire.anciennete_entreprise_mois": _q(
            "Depuis combien de mois la personne est-elle dans son entreprise actuelle ?", "mois"
        ),
        "beneficiaire.mois_salarie_5_ans": _q(
            "Combien de mois salariés la personne compte-t-elle sur les 5 dernières années ?", "mois"
        ),
        "beneficiaire.mois_cdd_12_mois": _q(
            "Combien de mois en CDD la personne compte-t-elle sur les 12 derniers mois ?", "mois"
        ),
        "beneficiaire.heures_interim_18_mois": _q(
            "Combien d'heures d'intérim la personne a-t-elle faites sur les 18 derniers mois ?", "heures"
        ),
        "beneficiaire.heures_interim_agence": _q(
            "Combien d'heures la personne a-t-elle faites dans son agence d'intérim actuelle ?", "heures"
        ),
        "beneficiaire.effectif_entreprise": _q("Combien de salariés compte l'employeur ?", "salariés"),
        "beneficiaire.entreprise_artisanale": _q("L'employeur relève-t-il de l'artisanat ?"),
        "beneficiaire.niveau_qualification": _q(
            "Quel est le niveau de qualification le plus élevé de la personne (1 à 8 ; 3 = CAP/BEP, 4 = bac) ?",
            "niveau",
        ),
        "beneficiaire.boeth": _q(
            "La personne est-elle bénéficiaire de l'obligation d'emploi (RQTH, AAH, pension d'invalidité…) ?"
        ),
        "beneficiaire.solde_cpf_heures": _q("Quel est le solde CPF de la personne, en heures ?", "heures"),
        "beneficiaire.solde_cpf_euros": _q("Quel est le solde CPF de la personne, en euros ?", "euros"),
        "beneficiaire.bilan_competences_5_ans": _q(
            "La personne a-t-elle eu, dans les 5 dernières années, un bilan de compétences financé par un financeur "
            "(fonds publics ou mutualisés : CPF, OPCO, France Travail, Région…) ?"
        ),
        "beneficiaire.heures_dif": _q("Combien d'heures de DIF la personne a-t-elle inscrites ?", "heures"),
        "beneficiaire.licenciement_economique": _q("La personne a-t-elle été licenciée pour motif économique ?"),
        "beneficiaire.licenciement_inaptitude": _q("La personne a-t-elle été licenciée pour inaptitude ?"),
        "beneficiaire.secteur_public": _q("L'employeur de la personne est-il un employeur public ?"),
        "beneficiaire.modalite_accompagnement_pe": _enum(
            "Quelle est la modalité d'accompagnement Pôle emploi / France Travail de la personne ?", MODALITE_FR
        ),
        "beneficiaire.arret_maladie": _q("La personne est-elle en arrêt maladie à la date de la demande ?"),
        "beneficiaire.promesse_embauche": _q("La personne a-t-elle une promesse d'embauche écrite ?"),
        "beneficiaire.permis_valide": _q("La personne a-t-elle un permis de conduire en cours de validité ?"),
        "beneficiaire.maladie_professionnelle": _q(
            "La personne a-t-elle été absente du travail pour maladie professionnelle dans les 24 mois "
            "précédant la demande ?"
        ),
        "beneficiaire.absence_longue_24_mois": _q(
            "La personne a-t-elle été absente au moins 6 mois (accident du travail, maladie ou accident non "
            "professionnel) dans les 24 mois précédant la demande ?"
        ),
        "beneficiaire.idcc": _q("Quelle est la convention collective de l'employeur (code IDCC) ?"),
        "beneficiaire.opco": _q("Quel est l'OPCA / OPCO de l'employeur ?"),
        "beneficiaire.accord_employeur": _q("L'employeur a-t-il donné son accord pour la formation (ou l'avenant) ?"),
        "beneficiaire.entreprise_adaptee": _q(
            "La personne est-elle un travailleur handicapé salarié d'une entreprise adaptée ?"
        ),
        "beneficiaire.experience_mois_certification": _q(
            "Combien de mois d'activité en rapport direct avec la certification visée la personne compte-t-elle ?",
            "mois",
        ),
        "beneficiaire.date_demission": _q("À quelle date la personne a-t-elle remis sa démission ?"),
        "beneficiaire.rupture_contrat": _q(
            "Comment le dernier contrat a-t-il pris fin ?",
            demission="démission",
            licenciement_economique="licenciement économique",
            licenciement_inaptitude="licenciement pour inaptitude",
            licenciement_autre="autre licenciement",
            rupture_conventionnelle="rupture conventionnelle",
            fin_cdd="fin de CDD",
            fin_mission="fin de mission d'intérim",
            rupture_periode_essai="rupture de la période d'essai",
            aucune="aucune rupture (contrat en cours)",
        ),
        "beneficiaire.jours_travailles_60_mois": _q(
            "Combien de jours la personne a-t-elle travaillé sur les 60 derniers mois ?", "jours"
        ),
        "beneficiaire.employeur_auto_assurance": _q(
            "La personne a-t-elle surtout été employée par un employeur public en auto-assurance "
            "(24 derniers mois, 36 à 53 ans et plus) ?"
        ),
        "beneficiaire.date_demande_cep": _q(
            "À quelle date la personne a-t-elle demandé un conseil en évolution professionnelle ?"
        ),
        "beneficiaire.operateur_cep": _q(
            "Quel opérateur a délivré le conseil en évolution professionnelle ?",
            apec="Apec",
            cap_emploi="Cap emploi",
            cep_actifs_occupes="opérateur CEP des actifs occupés",
            mission_locale="Mission locale",
            france_travail="France Travail (Pôle emploi)",
            fongecif="Fongecif",
            autre="autre opérateur",
        ),
        "beneficiaire.attestation_projet_reconversion": _q(
            "Où en est l'attestation du caractère réel et sérieux du projet (Transitions Pro) ?",
            obtenue="obtenue",
            refusee="refusée",
            en_cours="en cours",
            non_demandee="non demandée",
        ),
        "beneficiaire.date_attestation_projet": _q(
            "À quelle date l'attestation de Transitions Pro a-t-elle été notifiée ?"
        ),
        "beneficiaire.date_inscription_pe": _q(
            "À quelle date la personne s'est-elle inscrite à Pôle emploi / France Travail ?"
        ),
        "beneficiaire.allocation_chomage": _q(
            "Quelle allocation chômage la personne perçoit-elle la veille de la formation ?",
            are="ARE (allocation d'aide au retour à l'emploi)",
            asp="ASP (allocation de sécurisation professionnelle)",
            ati="ATI (allocation des travailleurs indépendants)",
            aucune="aucune",
        ),
        "beneficiaire.date_fin_droits_are": _q("À quelle date ses droits ARE / ASP prennent-ils fin ?"),
        "beneficiaire.are_journaliere": _q("Quel est le montant journalier brut de son ARE ?", "euros"),
        "beneficiaire.heures_salariees_12_mois": _q(
            "Combien d'heures salariées la personne a-t-elle faites sur les 12 derniers mois ?", "heures"
        ),
        "beneficiaire.heures_salariees_24_mois": _q(
            "Combien d'heures salariées la personne a-t-elle faites sur les 24 derniers mois ?", "heures"
        ),
        "beneficiaire.situation_familiale": _q(
            "Quelle est la situation familiale de la personne (barème des stagiaires) ?",
            parent_isole="parent isolé",
            enceinte="femme enceinte",
            trois_enfants="au moins trois enfants",
            autre="autre situation",
        ),
        "beneficiaire.salaire_moyen_reference": _q(
            "Quel est le salaire moyen de référence mensuel brut de la personne ?", "euros"
        ),
        "beneficiaire.salaire_journalier_reference": _q(
            "Quel est le salaire journalier de référence de la personne ?", "euros"
        ),
        "beneficiaire.residence_outre_mer": _q(
            "La personne réside-t-elle outre-mer (Guadeloupe, Guyane, Martinique, La Réunion, Mayotte, "
            "Saint-Barthélemy, Saint-Martin, Saint-Pierre-et-Miquelon) ?"
        ),
        "beneficiaire.adhesion_csp": _q("La personne a-t-elle adhéré au contrat de sécurisation professionnelle ?"),
        "beneficiaire.redressement_liquidation": _q(
            "L'employeur est-il en redressement ou en liquidation judiciaire ?"
        ),
        "beneficiaire.accompagnement_jeune": _q(
            "Quel accompagnement jeune la personne suit-elle ?",
            aucun="aucun",
            pacea="PACEA",
            garantie_jeunes="Garantie jeunes",
            cej="contrat d'engagement jeune (CEJ)",
        ),
        "beneficiaire.rqth": _q("La personne a-t-elle une reconnaissance de travailleur handicapé (RQTH) ?"),
        "beneficiaire.foyer_fiscal": _q(
            "Quel est le foyer fiscal de la personne (allocation CEJ) ?",
            non_imposable="non imposable",
            tranche_1="imposable dans la première tranche",
            imposable_au_dela="imposable au-delà de la première tranche",
        ),
        "beneficiaire.ressources_mensuelles": _q(
            "Quelles sont les ressources mensuelles propres de la personne ?", "euros"
        ),
        "beneficiaire.soutien_financier_parents": _q("La personne est-elle soutenue financièrement par ses parents ?"),
        # projet
        "projet.intitule": _q("Quel est l'intitulé de la formation ?"),
        "projet.type_action": _enum("Quelle est la nature de l'action de formation ?", ACTION_FR),
        "projet.code_certification": _q("Quel est le code RNCP ou RS de la certification ?"),
        "projet.eligible_cpf": _q("La formation est-elle inscrite sur une liste éligible au CPF ?"),
        "projet.categorie_permis": _q("Quelle catégorie de permis est visée (B, C, CE, D…) ?"),
        "projet.abondement_tiers": _q(
            "Un tiers cofinance-t-il la formation (employeur, OPCO, État, Région, France Travail…) ?"
        ),
        "projet.duree_heures": _q("Combien d'heures dure la formation ?", "heures"),
        "projet.duree_mois": _q("Combien de mois dure la formation ?", "mois"),
        "projet.temps_plein": _q("La formation est-elle à temps plein ?"),
        "projet.date_debut": _q("À quelle date la formation doit-elle commencer ?"),
        "projet.cout_pedagogique": _q("Quel est le coût pédagogique de la formation ?", "euros"),
        "projet.hors_temps_travail": _q("La formation se déroule-t-elle entièrement hors du temps de travail ?"),
        "projet.metier_en_tension": _q("La formation mène-t-elle à un métier en tension dans la région ?"),
        "projet.session_achetee_region": _q("La session est-elle achetée par la Région (plan régional) ?"),
        "projet.places_disponibles": _q("Reste-t-il des places dans la session ?"),
        "projet.positionnement_prealable": _q("Un positionnement préalable a-t-il été réalisé ?"),
        "projet.valide_conseiller_pe": _q(
            "Le projet est-il validé par le conseiller Pôle emploi / France Travail de la personne ?"
        ),
        "projet.certification_liste_pro_a": _q(
            "La certification est-elle sur la liste de l'accord de branche étendu (Pro-A) ?"
        ),
        "projet.date_avenant": _q(
            "À quelle date l'avenant Pro-A (ou l'accord de période de reconversion) a-t-il été signé ?"
        ),
        "projet.type_reconversion": _q(
            "La période de reconversion est-elle interne ou externe ?",
            interne="interne (chez le même employeur)",
            externe="externe (vers un autre employeur)",
        ),
        "projet.offre_deposee_france_travail": _q(
            "L'offre d'emploi de l'employeur est-elle déposée à Pôle emploi / France Travail ?"
        ),
        "projet.contrat_vise": _q(
            "Quel contrat est promis à l'issue de la formation ?",
            cdi="CDI",
            cdii="CDI intérimaire",
            cdd="CDD",
            professionnalisation="contrat de professionnalisation",
            apprentissage="contrat d'apprentissage",
            saisonnier="contrat saisonnier",
            interim="mission d'intérim",
        ),
        "projet.duree_contrat_vise_mois": _q("Combien de mois dure le contrat promis ?", "mois"),
        "projet.action_poec": _q("La formation est-elle une session de POEC lancée par un OPCA / OPCO ?"),
        "projet.recevabilite_vae": _q("La demande de VAE a-t-elle été déclarée recevable ?"),
        "projet.certification_sur_france_vae": _q(
            "La certification visée par la VAE est-elle proposée sur le portail France VAE ?"
        ),
        "projet.inscription_france_vae": _q(
            "La personne s'est-elle inscrite sur le portail France VAE pour cette VAE ?"
        ),
        "projet.date_fin": _q("À quelle date la formation doit-elle se terminer ?"),
        "projet.formation_qualifiante": _q("La formation est-elle qualifiante (article L6314-1 du code du travail) ?"),
        "projet.agrement_remuneration": _q(
            "Qui a agréé la formation pour la rémunération des stagiaires ?",
            france_travail="France Travail (Pôle emploi)",
            region="la Région",
            etat="l'État",
            aucun="personne",
        ),
        "projet.formation_sanitaire_sociale": _q("La formation est-elle une école du sanitaire ou du social (IFSI…) ?"),
    }
)


def question_of(path: str) -> FactQuestion:
    """The question for a fact; KeyError for a path the table does not hold (a test keeps it whole)."""
    return QUESTIONS[path]


def choice_label(path: str, code: str) -> str:
    """The French label of an enum code as the intake shows it (the code itself when unlabelled)."""
    found = QUESTIONS.get(path)
    return found.labels.get(code, code) if found else code
