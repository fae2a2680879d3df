// The repair chunk: everything that only shows once a repair is opened (its form, the device
// picker, the export and recovery-key offers, a flow's plan and prompts). scripts/build.mjs splits
// the popup's dynamic imports into chunks/, so popup.js does not carry this until it is needed.
export { RepairForm } from './repair-form.tsx';
export { RepairFlow } from './repair-flow.tsx';
