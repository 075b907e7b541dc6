/** @module Italian provinces and regions (ISTAT list of 107, in force 2017–2025) and the webinar audience rule (R-EVT-4, R-ATT-8). */

/** The 20 regions, with their official names. */
export const REGIONS = [
  'Piemonte',
  "Valle d'Aosta/Vallée d'Aoste",
  'Lombardia',
  'Trentino-Alto Adige/Südtirol',
  'Veneto',
  'Friuli-Venezia Giulia',
  'Liguria',
  'Emilia-Romagna',
  'Toscana',
  'Umbria',
  'Marche',
  'Lazio',
  'Abruzzo',
  'Molise',
  'Campania',
  'Puglia',
  'Basilicata',
  'Calabria',
  'Sicilia',
  'Sardegna',
] as const;

export type Region = (typeof REGIONS)[number];

export interface Province {
  /** Two-letter sigla, as on car plates (upper case). */
  readonly code: string;
  readonly name: string;
  readonly region: Region;
}

/**
 * Provinces, metropolitan cities, free municipal consortia (Sicilia), autonomous provinces
 * (BZ, TN), the former provinces of Friuli-Venezia Giulia kept by ISTAT as statistical units,
 * and Aosta; Sud Sardegna (SU) replaces Carbonia-Iglesias (CI), Medio Campidano (VS),
 * Ogliastra (OG) and Olbia-Tempio (OT), which are not in the list. Names as ISTAT writes them.
 */
export const PROVINCES: readonly Province[] = [
  // Piemonte
  { code: 'TO', name: 'Torino', region: 'Piemonte' },
  { code: 'VC', name: 'Vercelli', region: 'Piemonte' },
  { code: 'NO', name: 'Novara', region: 'Piemonte' },
  { code: 'CN', name: 'Cuneo', region: 'Piemonte' },
  { code: 'AT', name: 'Asti', region: 'Piemonte' },
  { code: 'AL', name: 'Alessandria', region: 'Piemonte' },
  { code: 'BI', name: 'Biella', region: 'Piemonte' },
  { code: 'VB', name: 'Verbano-Cusio-Ossola', region: 'Piemonte' },
  // Valle d'Aosta
  { code: 'AO', name: 'Aosta', region: "Valle d'Aosta/Vallée d'Aoste" },
  // Lombardia
  { code: 'VA', name: 'Varese', region: 'Lombardia' },
  { code: 'CO', name: 'Como', region: 'Lombardia' },
  { code: 'SO', name: 'Sondrio', region: 'Lombardia' },
  { code: 'MI', name: 'Milano', region: 'Lombardia' },
  { code: 'BG', name: 'Bergamo', region: 'Lombardia' },
  { code: 'BS', name: 'Brescia', region: 'Lombardia' },
  { code: 'PV', name: 'Pavia', region: 'Lombardia' },
  { code: 'CR', name: 'Cremona', region: 'Lombardia' },
  { code: 'MN', name: 'Mantova', region: 'Lombardia' },
  { code: 'LC', name: 'Lecco', region: 'Lombardia' },
  { code: 'LO', name: 'Lodi', region: 'Lombardia' },
  { code: 'MB', name: 'Monza e della Brianza', region: 'Lombardia' },
  // Trentino-Alto Adige
  { code: 'BZ', name: 'Bolzano/Bozen', region: 'Trentino-Alto Adige/Südtirol' },
  { code: 'TN', name: 'Trento', region: 'Trentino-Alto Adige/Südtirol' },
  // Veneto
  { code: 'VR', name: 'Verona', region: 'Veneto' },
  { code: 'VI', name: 'Vicenza', region: 'Veneto' },
  { code: 'BL', name: 'Belluno', region: 'Veneto' },
  { code: 'TV', name: 'Treviso', region: 'Veneto' },
  { code: 'VE', name: 'Venezia', region: 'Veneto' },
  { code: 'PD', name: 'Padova', region: 'Veneto' },
  { code: 'RO', name: 'Rovigo', region: 'Veneto' },
  // Friuli-Venezia Giulia
  { code: 'UD', name: 'Udine', region: 'Friuli-Venezia Giulia' },
  { code: 'GO', name: 'Gorizia', region: 'Friuli-Venezia Giulia' },
  { code: 'TS', name: 'Trieste', region: 'Friuli-Venezia Giulia' },
  { code: 'PN', name: 'Pordenone', region: 'Friuli-Venezia Giulia' },
  // Liguria
  { code: 'IM', name: 'Imperia', region: 'Liguria' },
  { code: 'SV', name: 'Savona', region: 'Liguria' },
  { code: 'GE', name: 'Genova', region: 'Liguria' },
  { code: 'SP', name: 'La Spezia', region: 'Liguria' },
  // Emilia-Romagna
  { code: 'PC', name: 'Piacenza', region: 'Emilia-Romagna' },
  { code: 'PR', name: 'Parma', region: 'Emilia-Romagna' },
  { code: 'RE', name: "Reggio nell'Emilia", region: 'Emilia-Romagna' },
  { code: 'MO', name: 'Modena', region: 'Emilia-Romagna' },
  { code: 'BO', name: 'Bologna', region: 'Emilia-Romagna' },
  { code: 'FE', name: 'Ferrara', region: 'Emilia-Romagna' },
  { code: 'RA', name: 'Ravenna', region: 'Emilia-Romagna' },
  { code: 'FC', name: 'Forlì-Cesena', region: 'Emilia-Romagna' },
  { code: 'RN', name: 'Rimini', region: 'Emilia-Romagna' },
  // Toscana
  { code: 'MS', name: 'Massa-Carrara', region: 'Toscana' },
  { code: 'LU', name: 'Lucca', region: 'Toscana' },
  { code: 'PT', name: 'Pistoia', region: 'Toscana' },
  { code: 'FI', name: 'Firenze', region: 'Toscana' },
  { code: 'LI', name: 'Livorno', region: 'Toscana' },
  { code: 'PI', name: 'Pisa', region: 'Toscana' },
  { code: 'AR', name: 'Arezzo', region: 'Toscana' },
  { code: 'SI', name: 'Siena', region: 'Toscana' },
  { code: 'GR', name: 'Grosseto', region: 'Toscana' },
  { code: 'PO', name: 'Prato', region: 'Toscana' },
  // Umbria
  { code: 'PG', name: 'Perugia', region: 'Umbria' },
  { code: 'TR', name: 'Terni', region: 'Umbria' },
  // Marche
  { code: 'PU', name: 'Pesaro e Urbino', region: 'Marche' },
  { code: 'AN', name: 'Ancona', region: 'Marche' },
  { code: 'MC', name: 'Macerata', region: 'Marche' },
  { code: 'AP', name: 'Ascoli Piceno', region: 'Marche' },
  { code: 'FM', name: 'Fermo', region: 'Marche' },
  // Lazio
  { code: 'VT', name: 'Viterbo', region: 'Lazio' },
  { code: 'RI', name: 'Rieti', region: 'Lazio' },
  { code: 'RM', name: 'Roma', region: 'Lazio' },
  { code: 'LT', name: 'Latina', region: 'Lazio' },
  { code: 'FR', name: 'Frosinone', region: 'Lazio' },
  // Abruzzo
  { code: 'AQ', name: "L'Aquila", region: 'Abruzzo' },
  { code: 'TE', name: 'Teramo', region: 'Abruzzo' },
  { code: 'PE', name: 'Pescara', region: 'Abruzzo' },
  { code: 'CH', name: 'Chieti', region: 'Abruzzo' },
  // Molise
  { code: 'CB', name: 'Campobasso', region: 'Molise' },
  { code: 'IS', name: 'Isernia', region: 'Molise' },
  // Campania
  { code: 'CE', name: 'Caserta', region: 'Campania' },
  { code: 'BN', name: 'Benevento', region: 'Campania' },
  { code: 'NA', name: 'Napoli', region: 'Campania' },
  { code: 'AV', name: 'Avellino', region: 'Campania' },
  { code: 'SA', name: 'Salerno', region: 'Campania' },
  // Puglia
  { code: 'FG', name: 'Foggia', region: 'Puglia' },
  { code: 'BA', name: 'Bari', region: 'Puglia' },
  { code: 'TA', name: 'Taranto', region: 'Puglia' },
  { code: 'BR', name: 'Brindisi', region: 'Puglia' },
  { code: 'LE', name: 'Lecce', region: 'Puglia' },
  { code: 'BT', name: 'Barletta-Andria-Trani', region: 'Puglia' },
  // Basilicata
  { code: 'PZ', name: 'Potenza', region: 'Basilicata' },
  { code: 'MT', name: 'Matera', region: 'Basilicata' },
  // Calabria
  { code: 'CS', name: 'Cosenza', region: 'Calabria' },
  { code: 'CZ', name: 'Catanzaro', region: 'Calabria' },
  { code: 'RC', name: 'Reggio di Calabria', region: 'Calabria' },
  { code: 'KR', name: 'Crotone', region: 'Calabria' },
  { code: 'VV', name: 'Vibo Valentia', region: 'Calabria' },
  // Sicilia
  { code: 'TP', name: 'Trapani', region: 'Sicilia' },
  { code: 'PA', name: 'Palermo', region: 'Sicilia' },
  { code: 'ME', name: 'Messina', region: 'Sicilia' },
  { code: 'AG', name: 'Agrigento', region: 'Sicilia' },
  { code: 'CL', name: 'Caltanissetta', region: 'Sicilia' },
  { code: 'EN', name: 'Enna', region: 'Sicilia' },
  { code: 'CT', name: 'Catania', region: 'Sicilia' },
  { code: 'RG', name: 'Ragusa', region: 'Sicilia' },
  { code: 'SR', name: 'Siracusa', region: 'Sicilia' },
  // Sardegna
  { code: 'SS', name: 'Sassari', region: 'Sardegna' },
  { code: 'NU', name: 'Nuoro', region: 'Sardegna' },
  { code: 'CA', name: 'Cagliari', region: 'Sardegna' },
  { code: 'OR', name: 'Oristano', region: 'Sardegna' },
  { code: 'SU', name: 'Sud Sardegna', region: 'Sardegna' },
];

const BY_CODE: ReadonlyMap<string, Province> = new Map(PROVINCES.map((p) => [p.code, p]));

/** The province of a sigla, case-insensitive; `undefined` when unknown (e.g. the abolished CI). */
export function provinceByCode(code: string): Province | undefined {
  return BY_CODE.get(code.toUpperCase());
}

export function isProvinceCode(code: string): boolean {
  return provinceByCode(code) !== undefined;
}

/** The region of a sigla; `undefined` when the sigla is unknown. */
export function regionOf(code: string): Region | undefined {
  return provinceByCode(code)?.region;
}

/** Whether two siglas are known and in the same region. */
export function sameRegion(a: string, b: string): boolean {
  const ra = regionOf(a);
  return ra !== undefined && ra === regionOf(b);
}

export interface AudienceInput {
  /** Province of the register (Albo) the member is enrolled in. */
  memberProvince: string;
  /** Province of the accrediting CPO. */
  cpoProvince: string;
  /** The organiser opened the webinar to the whole region (art. 12 c.4). */
  regionWide: boolean;
}

/**
 * Whether a member is in a webinar's allowed audience (R-EVT-4, checked per member by R-ATT-8):
 * registered in the accrediting CPO's province, or in its region when the organiser opened it
 * region-wide. A member with an unknown province is never in the audience; an unknown CPO
 * province is a data error (an event always has an accrediting CPO, R-EVT-1) and throws.
 *
 * @rule R-EVT-4
 */
export function inAudience({ memberProvince, cpoProvince, regionWide }: AudienceInput): boolean {
  const cpo = provinceByCode(cpoProvince);
  if (!cpo) throw new RangeError(`unknown province of the accrediting CPO: ${JSON.stringify(cpoProvince)}`);
  const member = provinceByCode(memberProvince);
  if (!member) return false;
  return member.code === cpo.code || (regionWide && member.region === cpo.region);
}
