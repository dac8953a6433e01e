/** @otptrace/diagnose: ④ attempt -> verdict, from a declarative rule table. */
export const PACKAGE_NAME = '@otptrace/diagnose';
