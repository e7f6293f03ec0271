"""The talks of the founding barcamp's plenaries, as the demo shows them (from the
seed's account, in French)."""

TALKS = [
    {
        "kind": "keynote",
        "plenary": "opening",
        "speaker_name": "Arnaud Rayrole",
        "speaker_role": "consultant",
        "organisation": "Lecko",
        "link": "",
        "title": (
            "Les réseaux sociaux professionnels pour l'administration publique : "
            "un rapide état des lieux"
        ),
        "summary": (
            "Invité pour planter le décor, un consultant de Lecko fait un rapide état des lieux "
            "de la question des réseaux sociaux professionnels pour l'administration publique."
        ),
        "figures": [],
        "lessons": [
            "On fait pour voir et apprendre, en sortant de l'approche projet merisienne "
            "traditionnelle.",
            "Aller voir ce que font les autres, y compris à l'extérieur.",
            "S'ouvrir aux technologies cloud pour travailler sur les usages sans initier de "
            "projet informatique long et coûteux.",
            "Acquérir une reconnaissance à l'externe pour mieux convaincre ensuite en interne : "
            "nul n'est prophète en son pays.",
            "« Réseau social d'entreprise » fait tousser, mais il n'y a là aucune différence "
            "fonctionnelle ou d'usage.",
        ],
        "body": """\
Le barcamp est organisé par le bureau des partenariats et des réseaux sociaux de Bercy et le
Social Média Club. Un consultant de Lecko y est invité pour planter le décor et faire un rapide
état des lieux de la question des réseaux sociaux professionnels pour l'administration
publique.

Son regard sur la réflexion des administrations : une réelle progression, notamment dans
l'approche employée. On fait pour voir et apprendre, en sortant de l'approche projet
merisienne traditionnelle ; on va voir ce que font les autres, y compris à l'extérieur ; on
s'ouvre aux technologies cloud pour travailler sur les usages sans initier de projet
informatique long et coûteux.

Le barcamp est aussi un moyen pour les porteurs de changement, souvent trop seuls dans leur
organisation, de se rencontrer et de se fédérer, et d'acquérir une reconnaissance à
l'externe pour mieux convaincre ensuite en interne. Quant au nom, « réseau social
d'entreprise » fait tousser, « social » aussi : certains mettent en place un RSE sans
l'appeler ainsi.
""",
        "minutes": 20,
        "workshops": [
            "Faire pour voir et apprendre, plutôt qu'un projet à la Merise",
            "Le cloud pour travailler les usages sans projet informatique",
            "Porteurs de changement : se rencontrer et se fédérer",
        ],
        "questions": [
            {
                "text": "Faut-il éviter le mot « réseau social d'entreprise » pour qu'un projet "
                "passe en interne ?",
                "anonymous": False,
                "answered": True,
            },
            {
                "text": "Par où commencer quand on est seul à porter le sujet dans son "
                "administration ?",
                "anonymous": True,
            },
        ],
    },
    {
        "kind": "testimony",
        "plenary": "closing",
        "speaker_name": "Sylvain Jolivet",
        "speaker_role": "au sein de la DRH",
        "organisation": "L'Oréal",
        "link": "",
        "title": "Le réseau social d'entreprise de L'Oréal",
        "summary": (
            "Déployé depuis 5 mois, le RSE de L'Oréal compte 6 000 utilisateurs. Un "
            "accompagnement de terrain, mené sans moyen de communication interne, avec un "
            "objectif : provoquer le déclic chez les utilisateurs."
        ),
        "figures": [
            ("déployé depuis", "5 mois"),
            ("utilisateurs à ce jour", "6 000"),
        ],
        "lessons": [
            "Réaliser un accompagnement de terrain, même sans moyen de communication interne.",
            "Se fixer pour objectif de provoquer le déclic chez les utilisateurs.",
        ],
        "body": """\
Au sein de la DRH de L'Oréal, le réseau social d'entreprise est déployé depuis 5 mois et
compte 6 000 utilisateurs à ce jour.

Le déploiement s'est fait par un accompagnement de terrain, sans moyen de communication
interne. L'objectif : provoquer le déclic chez les utilisateurs.
""",
        "minutes": 15,
        "workshops": [
            "Résistance au changement et désarroi",
            "Réseau social d'entreprise : le nom qui fait tousser",
        ],
        "questions": [
            {
                "text": "Sans moyen de communication interne, comment le réseau s'est-il fait "
                "connaître ?",
                "anonymous": False,
            },
            {
                "text": "Qu'est-ce qui provoque le déclic chez un utilisateur ?",
                "anonymous": False,
            },
        ],
    },
    {
        "kind": "testimony",
        "plenary": "closing",
        "speaker_name": "Stéphane Foltzer",
        "speaker_role": "en charge du projet Synoptique",
        "organisation": "Ministère de la Défense",
        "link": "",
        "title": "Synoptique",
        "summary": (
            "Déployé il y a 7 mois, Synoptique est un portail d'information ouvert aux "
            "commentaires, sur lequel cohabitent des communautés professionnelles. Le mot "
            "« social » y a été proscrit."
        ),
        "figures": [
            ("déployé depuis", "7 mois"),
        ],
        "lessons": [
            "Ouvrir le portail d'information aux commentaires et y faire cohabiter les "
            "communautés professionnelles.",
            "Par l'animation, faire une curation des meilleurs contenus des communautés vers "
            "le portail.",
            "Proscrire le mot « social ».",
        ],
        "body": """\
Au ministère de la Défense, le projet Synoptique a été déployé il y a 7 mois.

Il s'agit d'un portail d'information avec ouverture aux commentaires, sur lequel cohabitent
des communautés professionnelles. L'animation réalise une curation des meilleurs contenus des
communautés vers le portail.

Un choix assumé : proscrire le mot « social ».
""",
        "minutes": 15,
        "workshops": [
            "Curation : faire remonter le meilleur des communautés",
            "Réseau social d'entreprise : le nom qui fait tousser",
        ],
        "questions": [
            {
                "text": "Pourquoi avoir proscrit le mot « social » ?",
                "anonymous": False,
            },
            {
                "text": "Qui choisit les contenus des communautés qui remontent vers le portail ?",
                "anonymous": True,
            },
        ],
    },
    {
        "kind": "testimony",
        "plenary": "closing",
        "speaker_name": "Nicolas Chapuis",
        "speaker_role": "DSI",
        "organisation": "Ministère des Affaires étrangères",
        "link": "",
        "title": "Diplomatie 2.0",
        "summary": (
            "Le futur réseau Diplomatie 2.0, RSE métier pour la correspondance diplomatique, "
            "sera le premier RSE interministériel. À mi-parcours de son développement, il vise "
            "à hiérarchiser l'information : distinguer ce qui doit être fait de ce qui doit "
            "être lu."
        ),
        "figures": [
            ("câbles diplomatiques par jour", "1 000"),
            ("dont lus par le Président", "5"),
            ("documents produits par an", "3 millions"),
            ("budget", "3 millions d'euros"),
            ("développement", "15e mois, à mi-parcours"),
            ("déploiement prévu", "dans 15 mois"),
        ],
        "lessons": [
            "Regarder ce qui se passe ailleurs (dans les entreprises et les administrations "
            "étrangères).",
            "Le mail est abêtissant, quand le RSE est « lumière » : les dirigeants ont peur des "
            "conséquences.",
            "Hiérarchiser l'information : distinguer ce qui doit être fait de ce qui doit être lu.",
            "Qualifier les messages importants à la production, pour mise en relief, sans pour "
            "autant restreindre l'accès aux autres.",
        ],
        "body": """\
Diplomatie 2.0 est clairement un RSE métier, voire une application métier sociale. Sa
finalité : répondre au métier du diplomate, qui consiste à produire de l'information à
destination du Président et à négocier les intérêts de la France (à partir d'instructions).
Aujourd'hui, l'ambassadeur n'accède pas à son SI en situation de mobilité.

1 000 câbles diplomatiques remontent par jour ; 5 sont lus par le Président, après un effort
de tri important à plusieurs niveaux ; 3 millions de documents sont produits par an.
L'objectif sera de hiérarchiser l'information, notamment distinguer ce qui doit être fait de
ce qui doit être lu. Les messages importants seront qualifiés à la production, pour mise en
relief, sans pour autant restreindre l'accès aux autres.

Le projet entame son 15e mois de développement : il se trouve à mi-parcours, pour un budget de
3 millions d'euros. Ce sera le premier RSE interministériel, une véritable mise en réseau du
processus d'échange du courrier diplomatique visant l'activation de l'intelligence collective :
« faire mieux travailler ensemble ces esprits brillants ».
""",
        "minutes": 20,
        "workshops": [
            "Distinguer ce qui doit être fait de ce qui doit être lu",
            "Résistance au changement et désarroi",
        ],
        "questions": [
            {
                "text": "Qui qualifie un message comme important, et selon quels critères ?",
                "anonymous": False,
            },
            {
                "text": "Les ambassadeurs pourront-ils y accéder en situation de mobilité ?",
                "anonymous": False,
            },
            {
                "text": "Comment les autres ministères seront-ils associés à ce premier RSE "
                "interministériel ?",
                "anonymous": True,
            },
        ],
    },
]
