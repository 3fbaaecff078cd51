// Type declaration for cytoscape-fcose, which ships none: a cytoscape extension (layout "fcose").
declare module 'cytoscape-fcose' {
  import type { Ext } from 'cytoscape'
  const fcose: Ext
  export default fcose
}
