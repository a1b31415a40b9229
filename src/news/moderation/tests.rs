//! The screening's behaviour on comments written for each rule, evasion and false alarm.

use super::*;

fn lists() -> CompiledLists {
    let mut lists = PolicyLists::new();
    let mut fr = LanguageLists::default();
    fr.insult.banned = vec!["connard".into(), "idiot".into()];
    fr.threat.banned = vec!["je vais te tuer".into()];
    fr.defamation.suspect = vec!["a détourné".into()];
    fr.privacy.suspect = vec!["son numéro".into()];
    fr.spam.phrases = vec!["gagnez de l'argent".into()];
    lists.insert("fr".into(), fr);
    let mut ar = LanguageLists::default();
    ar.insult.banned = vec!["حمار".into()];
    lists.insert("ar".into(), ar);
    let mut darija = LanguageLists::default();
    darija.insult.banned = vec!["7mar".into()];
    lists.insert("darija_latin".into(), darija);
    CompiledLists::compile(&lists)
}

fn decision(body: &str) -> (Decision, Option<Category>) {
    let s = screen(&Submission::new("Lecteur", body, ""), &lists(), &Rules::default());
    (s.decision, s.reason)
}

#[test]
fn banned_terms_refuse_through_evasions() {
    for body in [
        "Quel connard ce type",
        "Quel CONNARD",
        "quel connnnnard",
        "quel c.o.n.n.a.r.d",
        "quel c0nn@rd",
        "un 1d10t de plus",
        "i-d-i-o-t",
        "هذا حمار",
        "هذا الحمار",
        "هذا حِمَار",
        "هذا حـــمار",
        "هذا حمااار",
        "هذا ح م ا ر",
        "nta 7mar",
        "nta 7maaar",
    ] {
        assert_eq!(decision(body), (Decision::Refuse, Some(Category::Insult)), "{body}");
    }
    assert_eq!(decision("Je vais te tuer demain").1, Some(Category::Threat), "threat first");
}

#[test]
fn innocent_words_pass() {
    for body in [
        "Le conseil municipal a voté le budget",
        "Une idée intéressante, merci pour cet article",
        "En 2021, 7 000 personnes ont visité le musée",
        "الحمام التقليدي جزء من تراث المدينة",
    ] {
        assert_eq!(decision(body).0, Decision::Clean, "{body}");
    }
}

#[test]
fn suspect_terms_and_personal_data_hold() {
    assert_eq!(decision("Le maire a détourné les fonds"), (Decision::Hold, Some(Category::Defamation)));
    assert_eq!(decision("Appelez-le au 06 12 34 56 78").0, Decision::Hold);
    assert_eq!(decision("écrivez à karim.b@example.ma").0, Decision::Hold);
    assert_eq!(decision("il habite au 12 rue Ibn Batouta").0, Decision::Hold);
    assert_eq!(decision("son numéro : 06.12.34.56.78").0, Decision::Refuse, "personal data announced as someone's");
    assert_eq!(decision("رقمه ٠٦١٢٣٤٥٦٧٨").0, Decision::Hold, "Eastern digits");
}

#[test]
fn spam_is_recognised() {
    assert_eq!(decision("Gagnez de l'argent sur http://x.example.com").0, Decision::Spam);
    assert_eq!(decision("voir http://a.example.com http://b.example.com http://c.example.com").0, Decision::Hold);
    assert_eq!(decision(&"top ".repeat(20)).0, Decision::Hold);
}

#[test]
fn a_repeated_text_is_spam_but_a_refusal_stays_one() {
    let lists = lists();
    let repeated = |body| Submission { repeated: true, ..Submission::new("Lecteur", body, "") };
    let flood = screen(&repeated("Merci pour cet article"), &lists, &Rules::default());
    assert_eq!((flood.decision, flood.reason), (Decision::Spam, Some(Category::Spam)));
    assert!(flood.findings.iter().any(|f| f.source == "repeated"));
    let insult = screen(&repeated("Quel connard"), &lists, &Rules::default());
    assert_eq!(insult.decision, Decision::Refuse);
}

#[test]
fn default_lists_parse() {
    let lists = default_lists();
    assert_eq!(lists.len(), 5);
    for (lang, l) in &lists {
        assert!(!l.insult.banned.is_empty(), "{lang} has insults");
        assert!(!l.threat.banned.is_empty() || !l.threat.suspect.is_empty(), "{lang} has threats");
    }
}

/// The shipped screening (lists, patterns, classifier), as a reader's comment meets it.
fn shipped(body: &str) -> Screening {
    static SCREENER: std::sync::OnceLock<Screener> = std::sync::OnceLock::new();
    SCREENER.get_or_init(Screener::shipped).screen_text("Lecteur", body)
}

#[test]
fn every_evasion_class_is_undone_before_the_rules() {
    for (class, body) in [
        ("look-alike letters", "Quel cоnnаrd ce type"),
        ("look-alike letters, Greek", "un vrai ιdιοt"),
        ("spaced letters", "quel c o n n a r d"),
        ("dotted letters", "quel c.o.n.n.a.r.d"),
        ("digits and symbols", "quel c0nn@rd"),
        ("repeated letters", "quel connnnnnnnard"),
        ("tatweel", "انت حـــــمار"),
        ("harakat", "انت حِمَار"),
        ("Persian letters", "یا حمار"),
    ] {
        assert_eq!(shipped(body).decision, Decision::Refuse, "{class}: {body}");
    }
    for (class, body) in [
        ("phone in words", "son numéro : zéro six douze trente-quatre cinquante-six soixante-dix-huit"),
        ("phone in odd groups", "appelez-le au 06 - 61 - 23 45 67"),
        ("phone in Arabic words", "رقمه صفر ستة واحد اثنين ثلاثة أربعة خمسة ستة سبعة ثمانية"),
    ] {
        let screening = shipped(body);
        assert!(screening.findings.iter().any(|f| f.source == "phone"), "{class}: {body} {screening:?}");
        assert_ne!(screening.decision, Decision::Clean, "{class}");
    }
    for (class, body) in [
        ("spaced link", "gagnez 500 dh par jour sur w w w . gains-faciles . com"),
        ("hxxp", "promo sur hxxp://gains.example.com"),
        ("bracketed dot", "inscris-toi sur gains[.]com"),
        ("messaging link", "rejoignez t.me/gainsfaciles"),
    ] {
        let screening = shipped(body);
        assert!(screening.findings.iter().any(|f| f.source.contains("link")), "{class}: {body} {screening:?}");
    }
}

#[test]
fn meaning_without_a_listed_word_is_held() {
    for (class, body) in [
        ("a call to violence", "Il faudrait que quelqu'un aille brûler la maison de ce maire."),
        ("a call to violence, English", "Someone should torch his office tonight."),
        ("a threat in the future", "Je vais te retrouver à la sortie et tu vas le regretter."),
        ("a threat, English", "I'm going to find you and make you pay."),
        ("a threat, Darija", "غادي نوريك آش كيوقع"),
        ("dehumanizing", "Ces migrants sont une maladie, il faut nettoyer la ville."),
    ] {
        assert_ne!(shipped(body).decision, Decision::Clean, "{class}: {body}");
    }
}

#[test]
fn a_slur_discussed_between_quotation_marks_is_not_held_for_itself() {
    for body in [
        "Les gamins répètent « pédé » dans la cour comme si c'était un mot anodin ; c'est une insulte, point.",
        "Using “retarded” as a joke is a slur against my brother, please stop.",
    ] {
        let screening = shipped(body);
        assert_ne!(screening.decision, Decision::Refuse, "{body}");
        let from_lists = screening.findings.iter().filter(|f| LIST_LANGUAGES.iter().any(|l| f.source.starts_with(l)));
        assert_eq!(from_lists.count(), 0, "{body}: {screening:?}");
    }
    // Said, not discussed: the same word is refused.
    assert_eq!(shipped("Ferme-la, espèce de pédé.").decision, Decision::Refuse);
}

#[test]
fn hiding_a_word_is_held_even_when_the_word_is_in_no_list() {
    for body in ["Tous ces gеns sоnt pareils", "what a w a l l y of a minister", "هاد الناس ك ل ه م هكا"]
    {
        let screening = shipped(body);
        assert!(screening.findings.iter().any(|f| f.source == "evasion"), "{body}: {screening:?}");
        assert_ne!(screening.decision, Decision::Clean, "{body}");
    }
    for body in
        ["Le plan B du club, puis le C, et la loi 31.13 du Maroc", "Привет Casablanca ! Bonjour à nos lecteurs russes."]
    {
        assert!(!shipped(body).findings.iter().any(|f| f.source == "evasion"), "{body}");
    }
}

#[test]
fn a_reported_call_to_violence_is_not_a_call() {
    let body = "Sous la vidéo, un compte a écrit « il faut brûler sa maison ». J'ai porté plainte.";
    let screening = shipped(body);
    assert!(!screening.findings.iter().any(|f| f.source == "violence-call"), "{screening:?}");
    let said = shipped("Il faut brûler sa maison, ce soir.");
    assert!(said.findings.iter().any(|f| f.source == "violence-call"), "{said:?}");
}

#[test]
fn fair_comments_are_not_refused() {
    for (class, body) in [
        ("a reported threat", "Un compte anonyme m'a écrit « je vais te tuer », j'ai porté plainte."),
        ("a reported insult", "He called me a “dirty monkey” in front of my kids, I reported him."),
        ("an official link", "Le rapport complet est sur https://www.sante.gov.ma/rapport-2025"),
        ("numbers", "En 2025, l'indicatif 212 et le dossier 2023/1456/12 ont coûté 1 200 000 dirhams."),
        ("a literal animal", "Les ânes de la médina portent encore les bouteilles de gaz dans les ruelles."),
        ("a surname", "Le professeur Idriss Conard a dirigé l'étude sur la nappe phréatique."),
        ("an idiom", "Il faut tuer le match plus tôt, à 2-0 on a reculé."),
        ("court news", "Le tribunal a condamné l'ancien maire pour détournement de fonds."),
    ] {
        assert_ne!(shipped(body).decision, Decision::Refuse, "{class}: {body}");
    }
    for body in ["Le rapport complet est sur https://www.sante.gov.ma/rapport-2025", "Il faut tuer le match plus tôt !"]
    {
        assert_eq!(shipped(body).decision, Decision::Clean, "{body}");
    }
}

#[test]
fn a_verb_of_harm_whose_subject_is_someone_else_is_no_threat() {
    let threat = |body: &str| shipped(body).findings.iter().any(|f| f.category == Category::Threat);
    for body in [
        "هاد الضريبة الجديدة غادي تقتل الحوانت الصغار فدرب عمر، الحساب ساهل.",
        "had l'impôt jdid ghadi ydb7 les petits commerçants f lmdina",
    ] {
        assert!(!threat(body), "{body}: {:?}", shipped(body));
    }
    for body in
        ["والله غادي نقتلك ملي نشوفك فالدرب", "ghadi ndb7ek nhar tkhroj mn lkhedma", "غادي يقتلوك الدراري ديالي"]
    {
        assert!(threat(body), "{body}: {:?}", shipped(body));
    }
}

#[test]
fn a_disguised_link_with_bullets_or_spelled_dots_is_found() {
    for body in [
        "Vidéo choc de l'accident ➡️ www•choc-video•example•ma ⬅️ regardez avant suppression",
        "الفيديو كاملا هنا www • fadiha-video • example • net",
        "اطلب الآن: sukkari-shifa (نقطة) example (نقطة) com",
    ] {
        let screening = shipped(body);
        assert!(screening.findings.iter().any(|f| f.source == "disguised-link"), "{body}: {screening:?}");
    }
}
