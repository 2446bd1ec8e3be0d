"""A fixed, reproducible mix of generated cases touching every funder and most criteria."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator

STATUTS = ["demandeur_emploi", "salarie", "independant", "agent_public", "sans_activite"]
CONTRATS = ["cdi", "cdd", "interim", "apprentissage", "professionnalisation", "contrat_aide", "aucun"]
OPERATEURS = ["mission_locale", "apec", "cap_emploi", "pole_emploi", "fongecif", "opacif", "autre"]
ACTIONS = [
    "certification_rncp",
    "certification_rs",
    "clea",
    "vae",
    "bilan_competences",
    "permis",
    "creation_entreprise",
    "non_certifiante",
]


def _maybe(rng: random.Random, value, p: float = 0.85):
    return value if rng.random() < p else None


def generated_cases(n: int, seed: int = 20181) -> list[dict]:
    return list(iter_generated_cases(n, seed))


def iter_generated_cases(n: int, seed: int = 20181) -> Iterator[dict]:
    """The same cases as `generated_cases`, made one at a time: a run over 100,000 holds none of them."""
    rng = random.Random(seed)
    for _ in range(n):
        demande = dt.date(2015, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 11))
        debut = demande + dt.timedelta(days=rng.randrange(-30, 400))
        b = {
            "date_naissance": dt.date(rng.randrange(1960, 2005), rng.randrange(1, 13), rng.randrange(1, 29)),
            "statut": rng.choice(STATUTS),
            "inscrit_pole_emploi": rng.random() < 0.5,
            "contrat": rng.choice(CONTRATS),
            "date_fin_contrat": demande - dt.timedelta(days=rng.randrange(-200, 500)),
            "anciennete_salariee_mois": rng.choice([0, 6, 12, 23, 24, 30, 36, 60, 150]),
            "anciennete_entreprise_mois": rng.choice([0, 6, 11, 12, 24, 64]),
            "mois_salarie_5_ans": rng.choice([0, 5, 23, 24, 38, 60]),
            "mois_cdd_12_mois": rng.choice([0, 3, 4, 9, 12]),
            "heures_interim_18_mois": rng.choice([0, 800, 1599, 1600, 2400]),
            "heures_interim_agence": rng.choice([0, 599, 600, 900]),
            "effectif_entreprise": rng.choice([3, 9, 10, 11, 50, 300]),
            "entreprise_artisanale": rng.random() < 0.2,
            "niveau_qualification": rng.randrange(1, 9),
            "boeth": rng.random() < 0.2,
            "solde_cpf_heures": rng.choice([0, 24, 62, 120, 400]),
            "solde_cpf_euros": rng.choice([0, 500, 1500, 2250, 5000]),
            "licenciement_economique": rng.random() < 0.1,
            "licenciement_inaptitude": rng.random() < 0.05,
            "secteur_public": rng.random() < 0.1,
            "arret_maladie": rng.random() < 0.05,
            "promesse_embauche": rng.random() < 0.1,
            "permis_valide": rng.random() < 0.5,
        }
        p = {
            "type_action": rng.choice(ACTIONS),
            "eligible_cpf": rng.random() < 0.7,
            "categorie_permis": rng.choice(["B", "C", "CE", "A", "AM"]),
            "duree_heures": rng.choice([35, 150, 400, 600, 840, 1200, 1600]),
            "duree_mois": rng.choice([1, 3, 6, 7, 10, 12, 18]),
            "temps_plein": rng.random() < 0.7,
            "date_debut": debut,
            "cout_pedagogique": rng.choice([0, 900, 3200, 7200, 9800]),
            "metier_en_tension": rng.random() < 0.5,
            "session_achetee_region": rng.random() < 0.5,
            "places_disponibles": rng.random() < 0.7,
            "positionnement_prealable": rng.random() < 0.6,
            "valide_conseiller_pe": rng.random() < 0.5,
        }
        case = {
            "date_demande": demande,
            "operateur": _maybe(rng, rng.choice(OPERATEURS)),
            "region": _maybe(rng, rng.choice(["24", "11", "84", "32", "75"])),
            "beneficiaire": {k: v for k, v in b.items() if _maybe(rng, v) is not None},
            "projet": {k: v for k, v in p.items() if _maybe(rng, v) is not None},
        }
        yield {k: v for k, v in case.items() if v is not None}
