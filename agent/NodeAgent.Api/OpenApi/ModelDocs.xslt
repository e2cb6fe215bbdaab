<?xml version="1.0" encoding="utf-8"?>
<!-- Keeps only the summaries of k8s.Models types and properties from KubernetesClient.xml
     (25 MB, mostly API operations) so the OpenAPI descriptions ship as a ~1 MB resource. -->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:output method="xml" indent="no" encoding="utf-8" />
  <xsl:template match="/">
    <docs>
      <xsl:for-each select="doc/members/member[starts-with(@name, 'T:k8s.Models.') or starts-with(@name, 'P:k8s.Models.')]">
        <xsl:variable name="text" select="normalize-space(summary)" />
        <xsl:if test="$text != ''">
          <m n="{substring(@name, 14)}"><xsl:value-of select="$text" /></m>
        </xsl:if>
      </xsl:for-each>
    </docs>
  </xsl:template>
</xsl:stylesheet>
