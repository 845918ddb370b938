#include "corpus/phrases.h"

#include <array>

namespace airlock::bench {

namespace {

template <std::size_t N>
using Table = std::array<std::string_view, N>;

// ---------------------------------------------------------------- English
constexpr Table<36> kProseEn = {
    "The client asked for a summary of the open items before the quarterly review.",
    "We agreed to revisit the scope once the legal team has reviewed the draft.",
    "The customer reported that the new workflow is slower than the previous one.",
    "Management would like a short briefing on the status of the negotiation.",
    "The account team is waiting for feedback from procurement on the revised terms.",
    "No further action is required until the board has approved the budget.",
    "The complaint was escalated to the second-line support team this morning.",
    "They confirmed that the signed documents will be sent by courier.",
    "The employee raised concerns about the allocation of overtime in the team.",
    "HR will schedule a follow-up meeting with the line manager next week.",
    "The renewal discussion was constructive and both sides want to continue.",
    "Please keep this note confidential and do not forward it outside the department.",
    "The matter is on hold while the insurer reviews the claim.",
    "Our counsel recommends that we do not admit liability at this stage.",
    "The supplier has acknowledged the delay and proposed a revised delivery plan.",
    "Training materials were shared with the regional managers for review.",
    "The customer would prefer a phased rollout starting with the finance department.",
    "Several users reported that they could not log in after the update.",
    "The grievance procedure was explained and the employee accepted the timeline.",
    "We should prepare a response that addresses each of the points raised in the letter.",
    "The pilot results were positive, although adoption in the sales team was low.",
    "Legal has asked for the full correspondence before giving an opinion.",
    "The customer's data protection officer requested a copy of our processing records.",
    "It was agreed that the pricing would remain unchanged for the current term.",
    "A settlement proposal will be discussed internally before it is shared.",
    "The onboarding checklist was completed and the accounts were activated.",
    "The team lead noted that communication between the two offices has improved.",
    "We are still waiting for the signed amendment from the other party.",
    "The investigation found no evidence of misconduct, and the case can be closed.",
    "The client is evaluating two competing offers and will decide by the end of the month.",
    "Attendance has been irregular since the reorganisation of the department.",
    "The warranty claim was rejected because the product had been modified.",
    "A reminder was sent, but there has been no reply so far.",
    "The meeting minutes were approved without changes.",
    "Following the audit, the access rights of former contractors were removed.",
    "The customer thanked the team for the quick resolution of the incident."};
constexpr Table<10> kSubjectsEn = {"The client", "Our team", "The account manager", "Legal",
                                   "The customer", "HR", "The supplier", "Procurement",
                                   "The project lead", "Finance"};
constexpr Table<10> kVerbsEn = {"reviewed", "questioned", "approved", "discussed", "rejected",
                                "summarised", "updated", "escalated", "postponed", "clarified"};
constexpr Table<10> kObjectsEn = {"the draft agreement", "the service levels", "the open invoices",
                                  "the onboarding plan", "the disciplinary file",
                                  "the migration timeline", "the renewal quote",
                                  "the incident report", "the data processing terms",
                                  "the performance review"};
constexpr Table<10> kTailsEn = {"during the weekly call", "after some discussion",
                                "with the regional office", "ahead of the deadline",
                                "at the request of the board", "without further comment",
                                "in line with the policy", "for the second time",
                                "as discussed last week", "before the holidays"};
constexpr Table<14> kNotesEn = {
    "Called {NAME} regarding the renewal; no answer, left a voicemail.",
    "{NAME} from {COMPANY} confirmed the meeting for {DATE}.",
    "Please send the revised offer to {EMAIL} before Friday.",
    "Spoke with {GIVEN} about the delayed shipment, reachable on {PHONE}.",
    "{NAME} will take over the account from next month.",
    "Follow-up call with {NAME} scheduled for {DATE}.",
    "The contact moved to {CITY}; new address: {ADDRESS}.",
    "Customer asked us to use {EMAIL} for all future correspondence.",
    "Mr {SURNAME} requested a copy of the signed agreement.",
    "Escalated to {NAME} in Legal on {DATE}.",
    "Ms {SURNAME} mentioned that the invoice {ORDER} was paid twice.",
    "Dear {GIVEN} wrote back to say the delivery arrived damaged.",
    "Login attempts from {IP} were blocked after the password reset.",
    "Record {SFID} was merged with the duplicate contact."};
constexpr Table<14> kFiguresEn = {
    "Invoice {ORDER} of {DATE} for {AMOUNT} is overdue; reminder sent on {DATE}.",
    "Refund of {AMOUNT} to IBAN {IBAN} approved on {DATE}.",
    "Card {CARD} was charged {AMOUNT} for order {ORDER}.",
    "Payment of {AMOUNT} received on {DATE}, reference {ORDER}.",
    "Customer called from {PHONE} about order {ORDER} ({AMOUNT}).",
    "Please debit {AMOUNT} from {IBAN} on {DATE} and {AMOUNT} on {DATE}.",
    "Quote {ORDER}: {N} x {PRODUCT} at {AMOUNT}, valid until {DATE}.",
    "Chargeback on card {CARD}, amount {AMOUNT}, dispute opened {DATE}.",
    "VAT ID {VAT}; net {AMOUNT}, tax {AMOUNT}, gross {AMOUNT}.",
    "Credit note {ORDER} issued for {AMOUNT} against invoice {ORDER}.",
    "Bank details updated to {IBAN} (verified by phone, {PHONE}).",
    "Opportunity {SFID}: {AMOUNT} expected to close on {DATE}.",
    "Ticket {N} opened {DATE}, {N} users affected, SLA {N} hours.",
    "Salary adjustment of {AMOUNT} effective {DATE}, approved by {NAME}."};
constexpr Table<12> kClausesEn = {
    "The Supplier shall provide the Services in accordance with the Service Levels set out in Schedule 2.",
    "Either party may terminate this Agreement by giving not less than ninety days' written notice to the other party.",
    "Neither party shall be liable for any indirect or consequential loss arising under or in connection with this Agreement.",
    "The Customer shall pay each undisputed invoice within thirty days of the date of receipt.",
    "Each party shall keep the Confidential Information of the other party secret and shall not disclose it to any third party.",
    "This Agreement shall be governed by and construed in accordance with the laws of England and Wales.",
    "The Supplier shall process Personal Data only on the documented instructions of the Customer.",
    "Any amendment to this Agreement shall be in writing and signed by authorised representatives of both parties.",
    "The Supplier warrants that the Deliverables will not infringe the Intellectual Property Rights of any third party.",
    "Nothing in this Agreement shall limit liability for death or personal injury caused by negligence.",
    "The fees shall be reviewed annually and may be increased by no more than the rate of inflation.",
    "Notices shall be delivered by hand or sent by recorded delivery to the address of the receiving party."};
constexpr Table<8> kHeadingsEn = {"Definitions", "Term and Termination", "Fees and Payment",
                                  "Confidentiality", "Data Protection", "Liability",
                                  "Intellectual Property", "Governing Law"};
constexpr Table<6> kMailSubjectsEn = {"Re: Renewal terms", "Follow-up from our call",
                                      "Open invoices", "Re: Re: Contract amendment",
                                      "Your complaint", "Meeting next week"};
constexpr Table<3> kGreetingsEn = {"Dear", "Hi", "Hello"};
constexpr Table<4> kClosingsEn = {"Best regards,", "Kind regards,", "Thanks,", "Regards,"};
constexpr Table<5> kTitlesEn = {"Account Manager", "Senior Counsel", "HR Business Partner",
                                "Customer Success Lead", "Head of Procurement"};

// ---------------------------------------------------------------- German
constexpr Table<24> kProseDe = {
    "Der Kunde bat um eine Zusammenfassung der offenen Punkte vor dem Quartalsgespräch.",
    "Wir haben vereinbart, den Umfang nach Prüfung durch die Rechtsabteilung neu zu bewerten.",
    "Die Beschwerde wurde heute Morgen an den Second-Level-Support weitergeleitet.",
    "Die Geschäftsleitung wünscht eine kurze Information zum Stand der Verhandlungen.",
    "Bis zur Freigabe des Budgets durch den Vorstand sind keine weiteren Schritte nötig.",
    "Der Mitarbeiter äußerte Bedenken zur Verteilung der Überstunden im Team.",
    "Die Personalabteilung plant nächste Woche ein Folgegespräch mit der Führungskraft.",
    "Bitte diese Notiz vertraulich behandeln und nicht außerhalb der Abteilung weitergeben.",
    "Der Vorgang ruht, solange die Versicherung den Schaden prüft.",
    "Der Lieferant hat die Verzögerung bestätigt und einen neuen Lieferplan vorgeschlagen.",
    "Die Schulungsunterlagen wurden den Regionalleitern zur Durchsicht geschickt.",
    "Mehrere Anwender konnten sich nach dem Update nicht mehr anmelden.",
    "Die Rechtsabteilung benötigt den vollständigen Schriftverkehr vor einer Stellungnahme.",
    "Der Datenschutzbeauftragte des Kunden hat unser Verzeichnis der Verarbeitungstätigkeiten angefordert.",
    "Es wurde vereinbart, die Preise für die laufende Vertragslaufzeit nicht zu ändern.",
    "Ein Vergleichsvorschlag wird zunächst intern abgestimmt.",
    "Die Checkliste für das Onboarding ist vollständig und die Zugänge sind aktiviert.",
    "Wir warten weiterhin auf den unterschriebenen Nachtrag der Gegenseite.",
    "Die Untersuchung ergab keine Hinweise auf ein Fehlverhalten, der Fall kann geschlossen werden.",
    "Der Kunde vergleicht zwei Angebote und entscheidet bis Monatsende.",
    "Die Gewährleistungsforderung wurde abgelehnt, weil das Produkt verändert worden war.",
    "Eine Erinnerung wurde verschickt, bisher gibt es keine Antwort.",
    "Nach dem Audit wurden die Zugriffsrechte ehemaliger Dienstleister entzogen.",
    "Der Kunde bedankte sich für die schnelle Lösung der Störung."};
constexpr Table<6> kSubjectsDe = {"Der Kunde", "Unser Team", "Die Rechtsabteilung",
                                  "Der Lieferant", "Die Personalabteilung", "Der Einkauf"};
constexpr Table<6> kVerbsDe = {"prüfte", "bestätigte", "besprach", "lehnte", "verschob",
                               "aktualisierte"};
constexpr Table<6> kObjectsDe = {"den Vertragsentwurf", "die offenen Rechnungen",
                                 "den Migrationsplan", "die Abmahnung", "das Angebot",
                                 "die Auftragsverarbeitungsvereinbarung"};
constexpr Table<6> kTailsDe = {"im wöchentlichen Termin", "nach kurzer Diskussion",
                               "auf Wunsch der Geschäftsführung", "vor Fristablauf",
                               "ohne weiteren Kommentar", "gemäß der Richtlinie"};
constexpr Table<10> kNotesDe = {
    "{NAME} von {COMPANY} hat den Termin am {DATE} bestätigt.",
    "Bitte das überarbeitete Angebot bis Freitag an {EMAIL} senden.",
    "Rückruf von Herrn {SURNAME} unter {PHONE} erbeten.",
    "Frau {SURNAME} ist ab nächstem Monat für den Kunden zuständig.",
    "Neue Anschrift des Kunden: {ADDRESS}.",
    "Am {DATE} an {NAME} (Recht) eskaliert.",
    "{GIVEN} {SURNAME} meldet eine doppelte Abbuchung zu Rechnung {ORDER}.",
    "Kontakt bittet um Korrespondenz ausschließlich an {EMAIL}.",
    "Hallo {GIVEN}, danke für den Rückruf.",
    "Datensatz {SFID} wurde mit dem Duplikat zusammengeführt."};
constexpr Table<10> kFiguresDe = {
    "Rechnung {ORDER} vom {DATE} über {AMOUNT} ist überfällig, Mahnung am {DATE}.",
    "Erstattung von {AMOUNT} auf IBAN {IBAN} am {DATE} freigegeben.",
    "Zahlung über {AMOUNT} am {DATE} eingegangen, Verwendungszweck {ORDER}.",
    "Lastschrift {AMOUNT} von {IBAN} zum {DATE}.",
    "Angebot {ORDER}: {N} x {PRODUCT} zu je {AMOUNT}, gültig bis {DATE}.",
    "USt-IdNr. {VAT}; netto {AMOUNT}, MwSt. {AMOUNT}, brutto {AMOUNT}.",
    "Kreditkarte {CARD} mit {AMOUNT} belastet (Bestellung {ORDER}).",
    "Bankverbindung geändert auf {IBAN}, telefonisch bestätigt unter {PHONE}.",
    "Gutschrift {ORDER} über {AMOUNT} zu Rechnung {ORDER}.",
    "Gehaltsanpassung um {AMOUNT} zum {DATE}, genehmigt von {NAME}."};
constexpr Table<8> kClausesDe = {
    "Der Auftragnehmer erbringt die Leistungen gemäß den in Anlage 2 vereinbarten Service Levels.",
    "Jede Partei kann diesen Vertrag mit einer Frist von drei Monaten zum Quartalsende schriftlich kündigen.",
    "Die Haftung für mittelbare Schäden und entgangenen Gewinn ist ausgeschlossen, soweit gesetzlich zulässig.",
    "Der Auftraggeber zahlt unbestrittene Rechnungen innerhalb von dreißig Tagen nach Zugang.",
    "Die Parteien verpflichten sich, vertrauliche Informationen der jeweils anderen Partei geheim zu halten.",
    "Es gilt das Recht der Bundesrepublik Deutschland unter Ausschluss des UN-Kaufrechts.",
    "Der Auftragnehmer verarbeitet personenbezogene Daten ausschließlich auf dokumentierte Weisung des Auftraggebers.",
    "Änderungen und Ergänzungen dieses Vertrags bedürfen der Schriftform."};
constexpr Table<6> kHeadingsDe = {"Vertragsgegenstand", "Laufzeit und Kündigung", "Vergütung",
                                  "Vertraulichkeit", "Datenschutz", "Haftung"};
constexpr Table<4> kMailSubjectsDe = {"AW: Vertragsverlängerung", "Offene Rechnungen",
                                      "Ihr Anliegen", "Termin nächste Woche"};
constexpr Table<3> kGreetingsDe = {"Hallo", "Guten Tag", "Moin"};
constexpr Table<3> kClosingsDe = {"Mit freundlichen Grüßen", "Viele Grüße", "Beste Grüße"};
constexpr Table<4> kTitlesDe = {"Key Account Managerin", "Syndikusrechtsanwalt",
                                "Personalreferentin", "Leiter Einkauf"};

// ---------------------------------------------------------------- French
constexpr Table<22> kProseFr = {
    "Le client a demandé un récapitulatif des points ouverts avant la revue trimestrielle.",
    "Nous avons convenu de revoir le périmètre après l'avis du service juridique.",
    "La réclamation a été transmise ce matin au support de niveau deux.",
    "La direction souhaite un point rapide sur l'état de la négociation.",
    "Aucune action n'est requise avant la validation du budget par le conseil.",
    "Le salarié a exprimé des inquiétudes sur la répartition des heures supplémentaires.",
    "Les ressources humaines organiseront un entretien de suivi la semaine prochaine.",
    "Merci de garder cette note confidentielle et de ne pas la diffuser hors du service.",
    "Le dossier est suspendu pendant l'examen du sinistre par l'assureur.",
    "Le fournisseur a reconnu le retard et proposé un nouveau planning de livraison.",
    "Plusieurs utilisateurs ne pouvaient plus se connecter après la mise à jour.",
    "Le service juridique souhaite disposer de l'ensemble des échanges avant de se prononcer.",
    "Le délégué à la protection des données du client a demandé notre registre des traitements.",
    "Il a été convenu de maintenir les tarifs pour la durée du contrat en cours.",
    "Une proposition transactionnelle sera d'abord discutée en interne.",
    "Nous attendons toujours l'avenant signé par l'autre partie.",
    "L'enquête n'a révélé aucun manquement et le dossier peut être clôturé.",
    "Le client compare deux offres et décidera d'ici la fin du mois.",
    "La demande de garantie a été refusée car le produit avait été modifié.",
    "Une relance a été envoyée, sans réponse à ce jour.",
    "Après l'audit, les droits d'accès des anciens prestataires ont été retirés.",
    "Le client a remercié l'équipe pour la résolution rapide de l'incident."};
constexpr Table<6> kSubjectsFr = {"Le client", "Notre équipe", "Le service juridique",
                                  "Le fournisseur", "Les ressources humaines", "Les achats"};
constexpr Table<6> kVerbsFr = {"a examiné", "a validé", "a discuté", "a refusé", "a reporté",
                               "a mis à jour"};
constexpr Table<6> kObjectsFr = {"le projet de contrat", "les factures ouvertes",
                                 "le plan de migration", "l'avertissement", "le devis",
                                 "l'accord de sous-traitance"};
constexpr Table<6> kTailsFr = {"lors du point hebdomadaire", "après une courte discussion",
                               "à la demande de la direction", "avant l'échéance",
                               "sans autre commentaire", "conformément à la politique"};
constexpr Table<10> kNotesFr = {
    "{NAME} de {COMPANY} a confirmé le rendez-vous du {DATE}.",
    "Merci d'envoyer l'offre révisée à {EMAIL} avant vendredi.",
    "Rappeler M. {SURNAME} au {PHONE}.",
    "Mme {SURNAME} reprend le compte à partir du mois prochain.",
    "Nouvelle adresse du client : {ADDRESS}.",
    "Escaladé le {DATE} à {NAME} (juridique).",
    "{GIVEN} {SURNAME} signale un double prélèvement sur la facture {ORDER}.",
    "Le contact souhaite que toute correspondance passe par {EMAIL}.",
    "Bonjour {GIVEN}, merci pour votre retour.",
    "La fiche {SFID} a été fusionnée avec le doublon."};
constexpr Table<10> kFiguresFr = {
    "La facture {ORDER} du {DATE} d'un montant de {AMOUNT} est échue, relance le {DATE}.",
    "Remboursement de {AMOUNT} sur l'IBAN {IBAN} validé le {DATE}.",
    "Paiement de {AMOUNT} reçu le {DATE}, référence {ORDER}.",
    "Prélèvement de {AMOUNT} sur {IBAN} au {DATE}.",
    "Devis {ORDER} : {N} x {PRODUCT} à {AMOUNT}, valable jusqu'au {DATE}.",
    "TVA intracommunautaire {VAT} ; HT {AMOUNT}, TVA {AMOUNT}, TTC {AMOUNT}.",
    "Carte {CARD} débitée de {AMOUNT} (commande {ORDER}).",
    "Coordonnées bancaires modifiées : {IBAN}, confirmé par téléphone au {PHONE}.",
    "Avoir {ORDER} de {AMOUNT} sur la facture {ORDER}.",
    "Augmentation de salaire de {AMOUNT} au {DATE}, validée par {NAME}."};
constexpr Table<8> kClausesFr = {
    "Le Prestataire fournit les Services conformément aux niveaux de service définis en Annexe 2.",
    "Chaque partie peut résilier le présent contrat moyennant un préavis écrit de trois mois.",
    "Aucune des parties ne sera responsable des dommages indirects subis par l'autre partie.",
    "Le Client règle les factures non contestées dans un délai de trente jours à compter de leur réception.",
    "Chaque partie s'engage à préserver la confidentialité des informations de l'autre partie.",
    "Le présent contrat est régi par le droit français.",
    "Le Prestataire ne traite les données à caractère personnel que sur instruction documentée du Client.",
    "Toute modification du présent contrat fera l'objet d'un avenant écrit signé par les parties."};
constexpr Table<6> kHeadingsFr = {"Objet", "Durée et résiliation", "Prix et paiement",
                                  "Confidentialité", "Protection des données", "Responsabilité"};
constexpr Table<4> kMailSubjectsFr = {"RE: Renouvellement", "Factures en attente",
                                      "Votre réclamation", "Rendez-vous la semaine prochaine"};
constexpr Table<3> kGreetingsFr = {"Bonjour", "Bonsoir", "Salut"};
constexpr Table<3> kClosingsFr = {"Cordialement,", "Bien à vous,", "Salutations distinguées,"};
constexpr Table<4> kTitlesFr = {"Responsable grands comptes", "Juriste senior",
                                "Chargée RH", "Directeur des achats"};

template <std::size_t N>
std::span<const std::string_view> S(const Table<N>& t) {
  return {t.data(), t.size()};
}

}  // namespace

const PhraseSet& Phrases(Lang lang) {
  static const PhraseSet kEn = {S(kProseEn),  S(kSubjectsEn), S(kVerbsEn),      S(kObjectsEn),
                                S(kTailsEn),  S(kNotesEn),    S(kFiguresEn),    S(kClausesEn),
                                S(kHeadingsEn), S(kMailSubjectsEn), S(kGreetingsEn),
                                S(kClosingsEn), S(kTitlesEn), "Case", "Logged {DATE} by {NAME}"};
  static const PhraseSet kDe = {S(kProseDe),  S(kSubjectsDe), S(kVerbsDe),      S(kObjectsDe),
                                S(kTailsDe),  S(kNotesDe),    S(kFiguresDe),    S(kClausesDe),
                                S(kHeadingsDe), S(kMailSubjectsDe), S(kGreetingsDe),
                                S(kClosingsDe), S(kTitlesDe), "Vorgang", "Erfasst am {DATE} von {NAME}"};
  static const PhraseSet kFr = {S(kProseFr),  S(kSubjectsFr), S(kVerbsFr),      S(kObjectsFr),
                                S(kTailsFr),  S(kNotesFr),    S(kFiguresFr),    S(kClausesFr),
                                S(kHeadingsFr), S(kMailSubjectsFr), S(kGreetingsFr),
                                S(kClosingsFr), S(kTitlesFr), "Dossier", "Saisi le {DATE} par {NAME}"};
  switch (lang) {
    case Lang::kEn: return kEn;
    case Lang::kDe: return kDe;
    case Lang::kFr: return kFr;
  }
  return kEn;
}

}  // namespace airlock::bench
