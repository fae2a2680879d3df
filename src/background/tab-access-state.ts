/** The background's one record of tab access grants (tab-access.ts), shared by readers and handlers. */
import { createTabAccess } from './tab-access.ts';

export const tabAccess = createTabAccess();
