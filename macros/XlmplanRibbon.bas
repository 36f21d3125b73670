Attribute VB_Name = "XlmplanRibbon"
' Ribbon callbacks of the xlmplan add-in. Every button of the "Marketing Plan" tab calls
' OnButton, which hands the button's tag to xlmplan's Python dispatcher through xlwings'
' RunPython. Python's own messages (errors included) come back as message boxes. The
' ribbon's texts come from module XlmplanTexts, which the build writes from the label packs.
Option Explicit

Private Const TITLE As String = "xlmplan"
Private Const GUIDE As String = "docs/excel-addin.md"
Private TheRibbon As IRibbonUI

' The ribbon's onLoad: keeps the ribbon to refresh its texts, and gives the worksheet
' functions their category and descriptions in Excel's function wizard (module
' xlwings_udfs, written by the add-in's build).
Public Sub OnRibbonLoad(ribbon As IRibbonUI)
    Set TheRibbon = ribbon
    #If Not Mac Then
        On Error Resume Next ' late-bound: xlwings' own Import Functions drops that module
        Application.Run "'" & ThisWorkbook.Name & "'!RegisterXlmplanFunctions"
    #End If
End Sub

' The texts of the tab, its groups and buttons, in XlmplanLanguage (module XlmplanTexts).
Public Sub GetLabel(control As IRibbonControl, ByRef returnedVal)
    returnedVal = RibbonText(control.Id, "label", XlmplanLanguage())
End Sub

Public Sub GetScreentip(control As IRibbonControl, ByRef returnedVal)
    returnedVal = RibbonText(control.Id, "label", XlmplanLanguage())
End Sub

Public Sub GetSupertip(control As IRibbonControl, ByRef returnedVal)
    returnedVal = RibbonText(control.Id, "supertip", XlmplanLanguage())
End Sub

' The language of the ribbon: the active plan's (the "language" row of its _xlmplan
' manifest), else the one `xlmplan addin install --lang` recorded, else Excel's own
' (Arabic or Persian), else English.
Public Function XlmplanLanguage() As String
    Dim lang As String
    lang = PlanLanguage()
    If lang = "" Then lang = LCase(Trim(GetConfig("LANGUAGE", "")))
    If lang = "" Then lang = ExcelLanguage()
    Select Case lang
        Case "ar", "fa": XlmplanLanguage = lang
        Case Else: XlmplanLanguage = "en"
    End Select
End Function

Private Function PlanLanguage() As String
    On Error GoTo NoPlan
    Dim found As Object
    Set found = ActiveWorkbook.Worksheets("_xlmplan").Columns(1).Find( _
        What:="language", LookIn:=-4163, LookAt:=1, MatchCase:=True) ' xlValues, xlWhole
    If Not found Is Nothing Then PlanLanguage = LCase(Trim(CStr(found.Offset(0, 1).Value)))
NoPlan:
End Function

Private Function ExcelLanguage() As String
    On Error GoTo Unknown
    Select Case Application.LanguageSettings.LanguageID(2) And &H3FF ' msoLanguageIDUI
        Case &H1: ExcelLanguage = "ar"
        Case &H29: ExcelLanguage = "fa"
    End Select
Unknown:
End Function

Private Function SetupHint(ByVal lang As String) As String
    SetupHint = AddinText("setup", lang) & vbLf & vbLf & _
        "    pip install xlmplan" & vbLf & "    xlmplan addin install" & vbLf & vbLf & _
        Replace(AddinText("restart", lang), "{guide}", GUIDE)
End Function

Public Sub OnButton(control As IRibbonControl)
    Dim problem As String, lang As String
    lang = XlmplanLanguage()
    problem = PythonProblem(lang)
    If problem <> "" Then
        MsgBox problem & vbLf & vbLf & SetupHint(lang), vbExclamation, TITLE
        Exit Sub
    End If
    On Error GoTo Failed
    RunPython "import xlmplan.addin.ribbon as ribbon; ribbon.on_action('" & control.Tag & "')"
    If Not TheRibbon Is Nothing Then TheRibbon.Invalidate ' the plan's language may have changed
    Exit Sub
Failed:
    MsgBox Replace(AddinText("could_not_run", lang), "{error}", Err.Description) & vbLf & _
        vbLf & SetupHint(lang), vbExclamation, TITLE
End Sub

' Why Python cannot run, or "" when it can: no interpreter recorded, or (on Windows) one
' that no longer exists. xlwings' GetConfig reads the add-in's "xlmplan.conf" sheet, then
' %USERPROFILE%\.xlmplan\xlmplan.conf (~/.xlmplan/xlmplan.conf on macOS).
Private Function PythonProblem(ByVal lang As String) As String
    Dim interpreter As String
    #If Mac Then
        interpreter = GetConfig("INTERPRETER_MAC", "")
    #Else
        interpreter = GetConfig("INTERPRETER_WIN", "")
    #End If
    If interpreter = "" Then
        PythonProblem = AddinText("no_interpreter", lang)
        Exit Function
    End If
    #If Not Mac Then
        If Dir(interpreter) = "" Then
            PythonProblem = Replace(AddinText("interpreter_gone", lang), "{path}", interpreter)
        End If
    #End If
End Function
